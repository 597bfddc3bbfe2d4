"""Elementwise regression losses: squared (L2), absolute (L1) and Huber.

Chapter ``06_losses`` draws each with its gradient and fits a line with each
to data that contain outliers. Each takes predictions ``y_hat`` and targets
``y``, floating tensors of one shape, and returns a loss of that shape.
"""

from __future__ import annotations

import torch

from ._validation import check_positive_real, check_tensor

__all__ = ["squared_loss", "absolute_loss", "huber_loss"]


def _check_pair(y_hat: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Require two floating tensors of exactly the same shape (no broadcasting)."""
    y_hat = check_tensor(y_hat, "y_hat", floating=True)
    y = check_tensor(y, "y", floating=True)
    if y_hat.shape != y.shape:
        # Broadcasting (n,) against (n, 1) would silently give an (n, n) loss.
        raise ValueError(
            f"y_hat and y must have the same shape, got y_hat {tuple(y_hat.shape)} "
            f"and y {tuple(y.shape)}; reshape one of them, e.g. y.reshape(y_hat.shape)")
    return y_hat, y


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared (L2) loss ``(y - y_hat) ** 2 / 2``, elementwise.

    The factor 1/2 makes the gradient with respect to ``y_hat`` exactly
    ``y_hat - y``. PyTorch's ``F.mse_loss(reduction="none")`` has no 1/2.

    >>> squared_loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.0, 0.0, 0.0]))
    tensor([0.0000, 0.5000, 4.5000])
    """
    y_hat, y = _check_pair(y_hat, y)
    return (y - y_hat) ** 2 / 2


def absolute_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Absolute (L1) loss ``|y - y_hat|``, elementwise.

    Its gradient is ``sign(y_hat - y)``: the same pull for every error size,
    and not defined at zero (autograd uses 0 there).

    >>> absolute_loss(torch.tensor([-2.0, 0.5]), torch.tensor([0.0, 0.0]))
    tensor([2.0000, 0.5000])
    """
    y_hat, y = _check_pair(y_hat, y)
    return (y - y_hat).abs()


def huber_loss(y_hat: torch.Tensor, y: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Huber loss: quadratic for errors up to ``delta`` (> 0), linear beyond, elementwise.

    ``(y - y_hat) ** 2 / 2`` where ``|y - y_hat| <= delta``, otherwise
    ``delta * |y - y_hat| - delta ** 2 / 2``. Both pieces and their slopes meet
    at ``|y - y_hat| = delta``. Equals ``F.huber_loss(y_hat, y, reduction="none",
    delta=delta)``.

    >>> huber_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]), delta=1.0)
    tensor([0.1250, 2.5000])
    """
    delta = check_positive_real(delta, "delta")
    y_hat, y = _check_pair(y_hat, y)
    error = (y - y_hat).abs()
    return torch.where(error <= delta, error**2 / 2, delta * (error - delta / 2))
