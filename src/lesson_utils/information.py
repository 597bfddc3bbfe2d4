"""Entropy, cross-entropy and KL divergence of discrete distributions (chapter ``05_entropy``).

Every function reads distributions along the last dimension: a floating tensor
of shape (q,) is one distribution over q outcomes (result of shape ()), one of
shape (n, q) a batch of n of them (result (n,)). Results are in nats (natural
logarithm) unless ``base`` is given (``base=2`` gives bits).
"""

from __future__ import annotations

import math

import torch

from ._validation import check_distributions, check_positive_real

__all__ = ["entropy", "distribution_cross_entropy", "kl_divergence"]


def _check_distribution(p: object, name: str) -> torch.Tensor:
    """Require finite distributions along the last dimension (entries in [0, 1], sums 1)."""
    p = check_distributions(p, name)
    if not torch.isfinite(p).all():
        raise ValueError(f"{name} must have finite entries, got NaN or inf")
    return p


def _check_pair(p: object, q: object) -> tuple[torch.Tensor, torch.Tensor]:
    p = _check_distribution(p, "p")
    q = _check_distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(
            f"p and q must have the same shape, got p {tuple(p.shape)} and q {tuple(q.shape)}")
    return p, q


def _log_base(base: object) -> float | None:
    """The natural log of ``base`` (None for nats), after checking it."""
    if base is None:
        return None
    if check_positive_real(base, "base") == 1:
        raise ValueError("base must not be 1: log(1) = 0 cannot scale a logarithm")
    return math.log(base)


def _in_base(nats: torch.Tensor, log_base: float | None) -> torch.Tensor:
    return nats if log_base is None else nats / log_base


def entropy(p: torch.Tensor, base: float | None = None) -> torch.Tensor:
    """Shannon entropy ``H(p) = -sum_i p_i log p_i``, with ``0 log 0 = 0``.

    Between 0 (a certain outcome) and ``log q`` (the uniform distribution);
    equals ``torch.distributions.Categorical(probs=p).entropy()`` where no
    probability is 0 or 1 (there ``Categorical`` clamps them first and gives a
    certain outcome a tiny positive entropy; chapter ``05_entropy`` shows it).

    >>> entropy(torch.tensor([0.5, 0.5]), base=2)  # a fair coin: one bit
    tensor(1.)
    >>> entropy(torch.tensor([[1.0, 0.0], [0.9, 0.1]]))  # a certain and a biased coin, in nats
    tensor([0.0000, 0.3251])
    """
    log_base = _log_base(base)
    p = _check_distribution(p, "p")
    return _in_base(0.0 - torch.special.xlogy(p, p).sum(dim=-1), log_base)  # not -x: no -0.0


def distribution_cross_entropy(p: torch.Tensor, q: torch.Tensor,
                               base: float | None = None) -> torch.Tensor:
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i`` of two distributions of the same shape.

    The expected surprisal when outcomes come from ``p`` but are scored (or
    coded) with ``q``. With a one-hot ``p`` it is the classification loss
    ``-log q_y`` of chapter ``06_losses``. It is ``inf`` where ``q_i = 0`` but
    ``p_i > 0`` (an outcome the model calls impossible happened); terms with
    ``p_i = 0`` count 0 even where ``q_i = 0``. ``H(p, p) = H(p)`` and
    ``H(p, q) = H(p) + KL(p || q) >= H(p)``.

    >>> p = torch.tensor([0.9, 0.1])
    >>> distribution_cross_entropy(p, torch.tensor([0.5, 0.5]), base=2)  # coded as fair
    tensor(1.)
    >>> distribution_cross_entropy(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.0]))
    tensor(inf)
    """
    log_base = _log_base(base)
    p, q = _check_pair(p, q)
    return _in_base(0.0 - torch.special.xlogy(p, q).sum(dim=-1), log_base)


def kl_divergence(p: torch.Tensor, q: torch.Tensor, base: float | None = None) -> torch.Tensor:
    """Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)``.

    It equals ``H(p, q) - H(p)``: the extra surprisal paid for scoring
    outcomes of ``p`` with ``q``. It is >= 0, 0 only when ``p == q``, not
    symmetric, and ``inf`` where ``q_i = 0`` but ``p_i > 0``. Equals
    ``torch.nn.functional.kl_div(q.log(), p, reduction="none").sum(-1)`` (note
    torch's order: log-probabilities of the model first).

    >>> p = torch.tensor([0.9, 0.1])
    >>> kl_divergence(p, p)
    tensor(0.)
    >>> kl_divergence(p, torch.tensor([0.5, 0.5]), base=2)
    tensor(0.5310)
    """
    log_base = _log_base(base)
    p, q = _check_pair(p, q)
    terms = torch.special.xlogy(p, p) - torch.special.xlogy(p, q)
    return _in_base(terms.sum(dim=-1), log_base)
