"""Softmax, one-hot labels and the cross-entropy loss, written out as taught.

Chapters ``01`` (one-hot), ``02`` (softmax), ``06_losses`` (cross-entropy,
log-sum-exp) and ``08_softmax_scratch`` use these.
"""

from __future__ import annotations

import torch

from ._validation import (
    check_distributions,
    check_labels,
    check_positive_int,
    check_tensor,
)

__all__ = ["softmax", "log_softmax", "one_hot", "cross_entropy", "softmax_cross_entropy"]


def softmax(O: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Numerically stable softmax: ``exp(O - max) / sum(exp(O - max))`` along ``dim``.

    ``O`` is a floating tensor, e.g. logits of shape (n, q); the result has its
    shape and sums to one along ``dim`` (default: the last, the classes).
    Subtracting the maximum changes nothing mathematically (softmax is
    shift-invariant) but keeps ``exp`` from overflowing on large logits.

    >>> softmax(torch.tensor([[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]]))
    tensor([[0.0900, 0.2447, 0.6652],
            [1.0000, 0.0000, 0.0000]])
    """
    check_tensor(O, "O", floating=True)
    shifted = O - O.amax(dim=dim, keepdim=True)
    exp = shifted.exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def log_softmax(O: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable log-softmax, ``O - logsumexp(O)`` along ``dim``, with the log-sum-exp trick.

    >>> log_softmax(torch.tensor([[0.0, 0.0]]))
    tensor([[-0.6931, -0.6931]])
    """
    check_tensor(O, "O", floating=True)
    shifted = O - O.amax(dim=dim, keepdim=True).detach()
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Encode class indices ``y`` (shape (n,), or any shape) as float32 one-hot rows (n, q).

    >>> one_hot(torch.tensor([0, 2]), 3)
    tensor([[1., 0., 0.],
            [0., 0., 1.]])
    """
    y = check_labels(y, check_positive_int(num_classes, "num_classes"), name="y")
    out = torch.zeros(*y.shape, num_classes, dtype=torch.float32, device=y.device)
    return out.scatter_(-1, y.unsqueeze(-1).long(), 1.0)


def _check_batch(values: torch.Tensor, name: str, y: torch.Tensor) -> torch.Tensor:
    check_tensor(values, name, floating=True)
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be a batch of shape (n, q), got shape {tuple(values.shape)}; "
            f"for a single example use {name}[None]")
    return check_labels(y, values.shape[1], name="y", length=values.shape[0])


def cross_entropy(Y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy ``-log Y_hat[i, y_i]`` from probabilities, shape (n,).

    This is the from-scratch loss of chapter 8: pick each row's predicted
    probability of the true class by fancy indexing, then take ``-log``.
    ``Y_hat`` (n, q) holds rows of probabilities, e.g. ``softmax(O)``; logits
    raise ``ValueError`` (``torch.nn.functional.cross_entropy`` and
    :func:`softmax_cross_entropy` take logits). It underflows to ``inf`` when
    the probability rounds to 0; prefer :func:`softmax_cross_entropy` on logits.

    >>> Y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    >>> cross_entropy(Y_hat, torch.tensor([0, 2]))
    tensor([2.3026, 0.6931])
    """
    y = _check_batch(Y_hat, "Y_hat", y)
    check_distributions(Y_hat, "Y_hat", hint=(
        "; these look like logits: apply softmax first, or use softmax_cross_entropy(O, y)"))
    return -torch.log(Y_hat[torch.arange(len(y), device=Y_hat.device), y])


def softmax_cross_entropy(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy from logits ``O`` (n, q), via the stable log-softmax.

    Equals ``torch.nn.functional.cross_entropy(O, y, reduction="none")``.

    >>> softmax_cross_entropy(torch.tensor([[1e4, 0.0], [0.0, 0.0]]), torch.tensor([1, 0]))
    tensor([1.0000e+04, 6.9315e-01])
    """
    y = _check_batch(O, "O", y)
    return -log_softmax(O)[torch.arange(len(y), device=O.device), y]
