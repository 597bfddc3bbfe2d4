"""Vector and matrix norms: L1, L2 (scaled, so it neither overflows nor underflows), Frobenius.

Chapter ``04_norms`` teaches these and uses them to explain why an L1 penalty
makes weights sparse while an L2 penalty only shrinks them. The vector norms
take a floating tensor of shape (d,), or a batch (..., d), and return shape
() or (...).
"""

from __future__ import annotations

import torch

from ._validation import check_tensor

__all__ = ["l1_norm", "l2_norm", "frobenius_norm"]


def _check_vector(x: object, name: str) -> torch.Tensor:
    x = check_tensor(x, name, floating=True)
    if x.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (a vector), got a 0-D tensor")
    return x


def l1_norm(x: torch.Tensor) -> torch.Tensor:
    """L1 (Manhattan) norm ``sum_i |x_i|`` along the last dimension.

    The gradient is ``sign(x)``, so it is 0 where an entry is exactly 0, the
    same subgradient ``torch.linalg.vector_norm(x, ord=1)`` uses.

    >>> l1_norm(torch.tensor([3.0, -4.0]))
    tensor(7.)
    >>> l1_norm(torch.tensor([[1.0, -1.0], [0.5, 0.0]]))
    tensor([2.0000, 0.5000])
    """
    x = _check_vector(x, "x")
    return x.abs().sum(dim=-1)


def l2_norm(x: torch.Tensor) -> torch.Tensor:
    """L2 (Euclidean) norm ``sqrt(sum_i x_i**2)`` along the last dimension.

    The entries are divided by their largest magnitude before squaring and the
    result multiplied back, ``m * sqrt(sum (x_i / m)**2)`` with
    ``m = max_i |x_i|``, so that no square overflows (``x_i`` of ``1e20`` in
    float32) and the largest is 1 (a lone ``1e-30`` is not lost; a square that
    still underflows is negligible beside 1): the same idea as the
    log-sum-exp trick of chapter ``06_losses``. A vector with an infinite entry
    has norm ``inf``. The gradient is ``x / ||x||``, and 0 at the zero vector
    (a subgradient, as in ``torch.linalg.vector_norm``).

    >>> l2_norm(torch.tensor([3.0, -4.0]))
    tensor(5.)
    >>> l2_norm(torch.tensor([3e20, 4e20]))  # the naive sqrt(sum(x**2)) gives inf
    tensor(5.0000e+20)
    """
    x = _check_vector(x, "x")
    scale = x.detach().abs().amax(dim=-1, keepdim=True) if x.shape[-1] else None
    if scale is None:  # an empty vector has norm 0
        return x.sum(dim=-1)
    finite = torch.isfinite(scale)
    safe_scale = torch.where((scale > 0) & finite, scale, torch.ones_like(scale))
    sum_sq = (x / safe_scale).square().sum(dim=-1)
    zero = sum_sq == 0  # avoid sqrt'(0) = inf, which would make the gradient NaN
    root = torch.sqrt(torch.where(zero, torch.ones_like(sum_sq), sum_sq))
    norm = torch.where(zero, torch.zeros_like(sum_sq), safe_scale.squeeze(-1) * root)
    return torch.where(finite.squeeze(-1), norm, scale.squeeze(-1))


def frobenius_norm(X: torch.Tensor) -> torch.Tensor:
    """Frobenius norm ``sqrt(sum_ij X_ij**2)``: the L2 norm of the matrix read as one vector.

    ``X`` has shape (m, n), or (..., m, n) for a batch; the result () or (...).
    A 0-D or 1-D input raises ``ValueError`` (use :func:`l2_norm` for a
    vector), as ``torch.linalg.matrix_norm`` does. Equal to
    ``torch.linalg.matrix_norm(X, "fro")``, to ``sqrt(trace(X.T @ X))`` and to
    the L2 norm of the singular values.

    >>> frobenius_norm(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(5.)
    """
    X = check_tensor(X, "X", floating=True)
    if X.ndim < 2:
        raise ValueError(
            f"X must be a matrix of shape (m, n) or a batch (..., m, n), got shape "
            f"{tuple(X.shape)}; for a vector use l2_norm")
    return l2_norm(X.flatten(start_dim=-2))
