"""Softmax, one-hot labels and the cross-entropy loss, written out as taught.

Chapters ``02_network_shape`` (softmax), ``01_classification_vs_regression``
(one-hot), ``06_losses`` (cross-entropy, log-sum-exp) and ``08_softmax_scratch``
use these.
"""

from __future__ import annotations

import torch

from ._validation import (
    check_distributions,
    check_int,
    check_labels,
    check_positive_int,
    check_tensor,
)

__all__ = ["softmax", "log_softmax", "one_hot", "cross_entropy", "softmax_cross_entropy"]


def _check_dim(O: torch.Tensor, dim: int) -> None:
    check_int(dim, "dim")
    if O.ndim == 0 or not -O.ndim <= dim < O.ndim:
        raise ValueError(f"dim={dim} is out of range for O of shape {tuple(O.shape)}")


def softmax(O: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Numerically stable softmax: ``exp(O - max) / sum(exp(O - max))`` along ``dim``.

    Subtracting the maximum changes nothing mathematically (softmax is
    shift-invariant) but keeps ``exp`` from overflowing on large logits.

    Parameters
    ----------
    O : floating tensor, e.g. logits of shape (n, q)
    dim : int
        The dimension that sums to one (default: the last, the classes).

    Returns
    -------
    torch.Tensor, same shape as ``O``

    Examples
    --------
    >>> softmax(torch.tensor([[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]]))
    tensor([[0.0900, 0.2447, 0.6652],
            [1.0000, 0.0000, 0.0000]])
    """
    check_tensor(O, "O", floating=True)
    _check_dim(O, dim)
    shifted = O - O.amax(dim=dim, keepdim=True)
    exp = shifted.exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def log_softmax(O: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable log-softmax, ``O - logsumexp(O)``, with the log-sum-exp trick.

    Parameters
    ----------
    O : floating tensor, e.g. logits of shape (n, q)
    dim : int

    Returns
    -------
    torch.Tensor, same shape as ``O``

    Examples
    --------
    >>> log_softmax(torch.tensor([[0.0, 0.0]]))
    tensor([[-0.6931, -0.6931]])
    """
    check_tensor(O, "O", floating=True)
    _check_dim(O, dim)
    shifted = O - O.amax(dim=dim, keepdim=True).detach()
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Encode class indices as float one-hot vectors.

    Parameters
    ----------
    y : int64 tensor of shape (n,) (any shape works)
    num_classes : int
        Number of classes q; must exceed every label.

    Returns
    -------
    float32 tensor of shape (n, q)

    Examples
    --------
    >>> one_hot(torch.tensor([0, 2]), 3)
    tensor([[1., 0., 0.],
            [0., 0., 1.]])
    """
    num_classes = check_positive_int(num_classes, "num_classes")
    y = check_labels(y, name="y")
    if y.numel() and int(y.max()) >= num_classes:
        raise ValueError(
            f"num_classes={num_classes} is smaller than the largest label + 1 ({int(y.max()) + 1})")
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
    """Per-example cross-entropy ``-log Y_hat[i, y_i]`` from probabilities.

    This is the from-scratch loss of chapter 8: pick each row's predicted
    probability of the true class by fancy indexing, then take ``-log``. It
    underflows to ``inf`` when that probability rounds to 0; prefer
    :func:`softmax_cross_entropy` on logits.

    Parameters
    ----------
    Y_hat : floating tensor of shape (n, q)
        Rows of probabilities (entries in [0, 1], each row summing to 1), e.g.
        ``softmax(O)``. ``torch.nn.functional.cross_entropy`` takes logits
        instead; so does :func:`softmax_cross_entropy`.
    y : int64 tensor of shape (n,), class indices

    Returns
    -------
    tensor of shape (n,)

    Raises
    ------
    ValueError
        When a row of ``Y_hat`` is not a probability distribution (logits,
        say), or a label is out of range.

    Examples
    --------
    >>> Y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    >>> cross_entropy(Y_hat, torch.tensor([0, 2]))
    tensor([2.3026, 0.6931])
    """
    y = _check_batch(Y_hat, "Y_hat", y)
    check_distributions(Y_hat, "Y_hat", hint=(
        "; these look like logits: apply softmax first, or use softmax_cross_entropy(O, y)"))
    return -torch.log(Y_hat[torch.arange(len(y), device=Y_hat.device), y])


def softmax_cross_entropy(O: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy from logits, via the stable log-softmax.

    Equals ``torch.nn.functional.cross_entropy(O, y, reduction="none")``.

    Parameters
    ----------
    O : floating tensor of shape (n, q), logits
    y : int64 tensor of shape (n,), class indices

    Returns
    -------
    tensor of shape (n,)

    Examples
    --------
    >>> softmax_cross_entropy(torch.tensor([[1e4, 0.0], [0.0, 0.0]]), torch.tensor([1, 0]))
    tensor([1.0000e+04, 6.9315e-01])
    """
    y = _check_batch(O, "O", y)
    return -log_softmax(O)[torch.arange(len(y), device=O.device), y]
