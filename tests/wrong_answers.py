"""Learners' typical wrong answers to the checked exercises, and why the others have no check.

tests/test_checks.py proves that lesson_utils.check rejects each answer with the input that
shows the mistake (and, where given, a hint containing the word); book/status.md runs them
through the checker in every build and shows how many it rejected.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lesson_utils import softmax


def naive_softmax(Z, dim=1):
    E = Z.exp()
    return E / E.sum(dim=dim, keepdim=True)


def naive_logsumexp_ce(O, y):
    return O.exp().sum(dim=1).log() - O[range(len(y)), y]


def linear_w_weight(W, b):
    layer = torch.nn.Linear(W.shape[1], W.shape[0])
    with torch.no_grad():
        layer.weight.copy_(W)  # forgets that nn.Linear stores W^T
        layer.bias.copy_(b)
    return layer


def linear_no_bias(W, b):
    layer = torch.nn.Linear(*W.shape)
    with torch.no_grad():
        layer.weight.copy_(W.T)
    return layer


def smooth_off_by_one(y, q, eps):
    return torch.where(F.one_hot(y, q) == 1, 1 - eps, eps / (q - 1))


# exercise -> [(wrong answer, a word of the hint it must get, or None)]
WRONG = {
    "ex-cvr-far-points": [
        (lambda x, y, a, c: ((a * x + c > 0.5).float() != y).float().mean().item(), "divided by n"),
        (lambda x, y, a, c: int(((a * x + c > 0).float() != y).sum()), "not 0"),
        (lambda x, y, a, c: int(((a * x + c >= 0.5).float() != y).sum()), "exactly at 0.5")],
    "ex-cvr-margin": [
        (lambda p, q: math.log(p / (1 - p)), "q - 1 other classes"),
        (lambda p, q: math.log(q * p / (1 - p)), "Off by one"),
        (lambda p, q: -math.log(1 - p), None)],
    "ex-cvr-ties": [
        (lambda o: 2 * o, "same vector"),  # the smallest failing o is 0, where 2 o = o
        (lambda o: o - o.mean(), "same vector"), (lambda o: o + o.abs() + 1, "same constant")],
    "ex-net-temperature": [
        (lambda o, T: naive_softmax(o / T), "overflows"),
        (lambda o, T: softmax(o / T, dim=0), "columns sum to 1"),
        (lambda o, T: softmax(o * T), "divides the logits")],
    "ex-net-three-gaussians": [
        (lambda X, mu, S, prior: X @ torch.linalg.inv(S) @ mu.T + prior.log(), "quadratic term"),
        (lambda X, mu, S, prior: X @ torch.linalg.inv(S) @ mu.T
         - 0.5 * ((mu @ torch.linalg.inv(S)) * mu).sum(1), "prior is missing"),
        (lambda X, mu, S, prior: X @ S @ mu.T - 0.5 * ((mu @ S) * mu).sum(1) + prior.log(),
         "inverse covariance")],
    "ex-net-bias-count": [(7840, "W alone"), (785, "one class"), (7851, "Off by one")],
    "ex-batch-einsum": [
        (lambda X, W, b: torch.einsum("nd,dq->nq", X, W), "bias b is missing"),
        (lambda X, W, b: torch.einsum("nd,qd->nq", X, W) + b, "shape differs"),
        (lambda X, W, b: torch.einsum("nd,dq->q", X, W) + b, "shape differs")],
    "ex-batch-single": [
        (lambda x, W, b: softmax(x @ W + b[0]), "x[None]"),
        (lambda x, W, b: softmax(x[None] @ W + b, dim=0), "columns sum to 1"),
        (lambda x, W, b: softmax(x[:, None] @ W + b), None)],  # a column, not a row
    "ex-batch-memory": [((2560, 10), "4 bytes"), ((10240, 10240), "shares")],
    "ex-norms-p-limit": [
        (lambda x, p: (x**p).sum() ** (1 / p), "absolute values"),
        (lambda x, p: (x.abs() ** p).sum(), "root"),
        (lambda x, p: x.abs().max(), None)],
    "ex-norms-elastic-net": [
        (lambda v, eta, lam1, lam2: F.softshrink(v, lam1) / (1 + eta * lam2), "η λ1"),
        (lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) / (1 + lam2), "step size η"),
        (lambda v, eta, lam1, lam2: F.softshrink(v / (1 + eta * lam2), eta * lam1), None)],
    "ex-norms-submultiplicative": [
        (lambda A: A.square().sum(dim=(-2, -1)), "square root"),
        (lambda A: A.square().sum().sqrt(), "whole batch"),
        (lambda A: torch.linalg.matrix_norm(A, ord=2), None)],
    "ex-entropy-dice": [((math.log(6), 2 * math.log(6), 2.27), "nats"),
                        ((2.585, 5.17, 5.17), None)],
    "ex-entropy-not-a-distance": [
        (lambda p, q: (q * (q / p).log()).sum(-1), "not symmetric"),
        (lambda p, q: (p * (p / q).log()).sum(-1), "0 log 0"),
        (lambda p, q: (p * (p / q).log2()).nan_to_num().sum(-1), "natural log")],
    "ex-entropy-initial-loss": [(math.log2(10), "bits"), (0.1, "probability"), (1.0, None)],
    "ex-entropy-label-smoothing": [
        (smooth_off_by_one, "Off by one"),
        (lambda y, q, eps: F.one_hot(y, q) + eps / q, "1 - ε"),
        (lambda y, q, eps: (1 - eps) * F.one_hot(y, q) + eps, None)],
    "ex-losses-huber-limits": [
        (lambda y_hat, y, d: torch.where((y - y_hat).abs() <= d, (y - y_hat) ** 2,
                                         d * ((y - y_hat).abs() - d / 2)), "e^2 / 2"),
        (lambda y_hat, y, d: torch.where((y - y_hat).abs() <= d, (y - y_hat) ** 2 / 2,
                                         d * (y - y_hat).abs()), "do not meet"),
        (lambda y_hat, y, d: torch.where((y - y_hat).abs() <= d, (y - y_hat) ** 2 / 2,
                                         d * ((y - y_hat) - d / 2)), None)],
    "ex-losses-soft-labels": [
        (lambda O, P: P - softmax(O), "Wrong sign"),
        (lambda O, P: naive_softmax(O) - P, "overflows"),
        (lambda O, P: (softmax(O) - P) / len(O), "no division by n"),
        (lambda O, P: softmax(O, dim=0) - P, "normalises the columns")],
    "ex-losses-float64": [
        (lambda dtype: math.log2(torch.finfo(dtype).max), "log2"),
        (lambda dtype: torch.finfo(dtype).max, "largest number"),
        (lambda dtype: 88.72, None)],
    "ex-dataset-last-batch": [
        (lambda n, b: (n // b, n % b), None),
        (lambda n, b: (n // b, (n - 1) % b + 1), "round up"),
        (lambda n, b: (math.ceil(n / b), n % b), "full, not empty"),
        (lambda n, b: (n // b + 1, n - (n // b) * b), None)],
    "ex-scratch-lr": [(1.0, "nan"), (0.01, "too small")],
    "ex-scratch-log-zero": [
        (lambda O, y: -softmax(O)[range(len(y)), y].log(), "underflows"),
        (naive_logsumexp_ce, "overflows"),
        (lambda O, y: F.cross_entropy(O, y), "no .mean()"),
        (lambda O, y: O[range(len(y)), y] - torch.logsumexp(O, dim=1), "Wrong sign")],
    "ex-scratch-batch-size": [(0.1 / 256, "Multiply"), (0.1, None)],
    "ex-concise-same-start": [(linear_w_weight, None), (linear_no_bias, "not the bias")],
    "ex-concise-mean-loss": [
        (lambda l, n: l.sum(), "multiply it by the batch size"),
        (lambda l, n: l.mean(), "not the mean"), (lambda l, n: l * n, None)],
    "ex-concise-sum-loss": [(256, "factor"), (0.1 / 256, "Multiply")],
    "ex-eval-top2": [
        (lambda probs, y: (probs.topk(2, dim=1).indices == y[:, None]).any(dim=1).sum(),
         "n times"),
        (lambda probs, y: (probs.argmax(dim=1) == y).float().mean(), "top-1"),
        (lambda probs, y: (probs.topk(2, dim=0).indices.T == y[:, None]).any(1).float().mean(),
         None)],
    "ex-eval-confident-mistakes": [
        (lambda p, y, k: torch.nonzero(p.argmax(1) != y).flatten()[
            p.max(1).values[p.argmax(1) != y].argsort()[:k]], "descending"),
        (lambda p, y, k: p.max(1).values.argsort(descending=True)[:k], "only the mistakes"),
        (lambda p, y, k: torch.nonzero(p.argmax(1) != y).flatten()[:k], None)],
}
# exercise -> why it has no check (book/status.md says the same)
NOT_CHECKED = {
    "ex-dataset-batch-size": "its answer is a timing, which depends on the machine",
    "ex-dataset-shuffle": "it asks to show a property of the two iterators, not for an answer",
    "ex-eval-seeds": "its answer takes minutes of training and is a judgement",
}
