"""Learners' answers to the checked exercises that the catalog's typical mistakes do not hold:
wrong ones (one per tensor exercise that changes an input or shares memory with it) with the
hint each must get (None: no hint at all), and right ones written differently from the
reference (built-ins, float64 inside, loops, lists). tests/test_exercises.py runs them all.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lesson_utils import l2_norm, softmax


def naive_softmax(O, dim=-1):
    E = O.exp()
    return E / E.sum(dim=dim, keepdim=True)


def far_inplace(x, y, a, c):
    x.mul_(a).add_(c)
    return int(((x > 0.5).long() != y).sum())


def far_loop(x, y, a, c):
    return sum(int((a * float(xi) + c > 0.5) != bool(yi)) for xi, yi in zip(x, y, strict=True))


def ties_inplace(o):
    o += 1
    return o.clone()


def temp_inplace(o, T):
    o /= T
    return softmax(o)


def temp_loop(o, T):
    rows = []
    for row in o.double():
        z = (row - row.max()) / T
        e = torch.exp(z)
        rows.append(e / e.sum())
    return torch.stack(rows).to(o.dtype)


def gauss_inplace(X, mu, Sigma, prior):
    prior.log_()
    S_inv = torch.linalg.inv(Sigma)
    return X @ S_inv @ mu.T - 0.5 * ((mu @ S_inv) * mu).sum(1) + prior


def gauss_quadratic(X, mu, Sigma, prior):  # the full log-density: softmax right, not affine
    S_inv = torch.linalg.inv(Sigma)
    diff = X[:, None, :] - mu[None]
    return -0.5 * torch.einsum("nqd,de,nqe->nq", diff, S_inv, diff) + prior.log()


def gauss_solve(X, mu, Sigma, prior):
    w = torch.linalg.solve(Sigma, mu.T)  # Σ^-1 μ_k as columns
    return X @ w - 0.5 * (mu.T * w).sum(0) + torch.log(prior)


def single_inplace(x, W, b):
    return softmax(x.unsqueeze_(0) @ W + b)


def p_norm_loop(x, p):
    m = max(abs(float(v)) for v in x)
    return 0.0 if m == 0 else m * sum((abs(float(v)) / m) ** p for v in x) ** (1 / p)


def lasso_loop(v, eta, lam1, lam2):
    out = []
    for vi in v.tolist():
        shrunk = max(abs(vi) - eta * lam1, 0.0) * math.copysign(1.0, vi)
        out.append(shrunk / (1 + eta * lam2))
    return torch.tensor(out, dtype=v.dtype)


def lasso_inplace(v, eta, lam1, lam2):
    v.copy_(F.softshrink(v, eta * lam1))
    return v / (1 + eta * lam2)


def kl_loop(p, q):
    p2, q2 = p.reshape(-1, p.shape[-1]).tolist(), q.reshape(-1, q.shape[-1]).tolist()
    rows = [sum(a * math.log(a / b) if a > 0 else 0.0 for a, b in zip(r, s, strict=True))
            if all(b > 0 or a == 0 for a, b in zip(r, s, strict=True)) else math.inf
            for r, s in zip(p2, q2, strict=True)]
    return torch.tensor(rows, dtype=p.dtype).reshape(p.shape[:-1])


def kl_inplace(p, q):
    q.clamp_(min=1e-12)
    return torch.special.xlogy(p, p).sum(-1) - (p * q.log()).sum(-1)


def smooth_inplace(y, q, eps):
    return torch.full((len(y), q), eps / q).scatter_(1, y.unsqueeze_(1), 1 - eps + eps / q)


def huber_inplace(y_hat, y, delta):
    y_hat.sub_(y).abs_()
    return torch.where(y_hat <= delta, y_hat**2 / 2, delta * (y_hat - delta / 2))


def grad_inplace(O, P):
    O.sub_(O.max(dim=-1, keepdim=True).values).exp_()
    return O / O.sum(-1, keepdim=True) - P


def ce_inplace(O, y):
    O -= O.max(dim=1, keepdim=True).values
    return O.exp().sum(1).log() - O[range(len(y)), y]


def ce_float64(O, y):
    O64 = O.double()
    return (torch.logsumexp(O64, 1) - O64[range(len(y)), y]).to(O.dtype)


def linear_shared(W, b):
    layer = nn.Linear(*W.shape)
    layer.weight = nn.Parameter(W.T)  # trains the caller's W
    layer.bias = nn.Parameter(b.clone())
    return layer


def linear_transposed_in_place(W, b):
    layer = nn.Linear(*W.shape)
    with torch.no_grad():
        layer.weight.copy_(W.t_())
        layer.bias.copy_(b)
    return layer


def linear_frozen(W, b):
    layer = nn.Linear(*W.shape)
    layer.weight.requires_grad_(False)
    with torch.no_grad():
        layer.weight.copy_(W.T)
        layer.bias.copy_(b)
    return layer


def linear_from_state(W, b):
    layer = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
    layer.load_state_dict({"weight": W.T.clone(), "bias": b.clone()})
    return layer


def linear_parameters(W, b):
    layer = nn.Linear(*W.shape, dtype=W.dtype)
    layer.weight = nn.Parameter(W.T.contiguous().clone())
    layer.bias = nn.Parameter(b.detach().clone())
    return layer


def mean_loss_inplace(l, batch_size):
    return l.mul_(batch_size if l.ndim == 0 else 1).sum()


def top2_inplace(probs, y):
    probs[range(len(y)), probs.argmax(1)] = -1  # hides the top class to find the second
    second = probs.argmax(1)
    return ((second == y) | (probs.max(1).values == -1)).double().mean()


def top2_loop(probs, y):
    hits = 0
    for row, label in zip(probs.tolist(), y.tolist(), strict=True):
        best = sorted(range(len(row)), key=row.__getitem__, reverse=True)[:2]
        hits += label in best
    return hits / len(y)


def confident_inplace(probs, y, k):
    right = probs.argmax(1) == y
    probs[right] = 0.0  # rows predicted right drop to the end
    order = probs.max(1).values.argsort(descending=True, stable=True)
    return order[: min(k, int((~right).sum()))]


def confident_loop(probs, y, k):
    rows = [(p.max().item(), i) for i, p in enumerate(probs) if p.argmax().item() != y[i]]
    return [i for _, i in sorted(rows, reverse=True)[:k]]


# exercise -> ([(wrong answer, a phrase of the hint it must get, or None for no hint)],
#              [right answers written differently from the reference])
ANSWERS = {
    "ex-cvr-far-points": (
        [(far_inplace, None), (lambda x, y, a, c: int(((a * x + c > 0.5).long() == y).sum()), None),
         (lambda x, y, a, c: int(((x > 0.5).long() != y).sum()), None)],
        [far_loop, lambda x, y, a, c: ((a * x + c > 0.5) ^ y.bool()).sum()]),
    "ex-cvr-margin": (
        [(lambda p, q: math.log(p / (1 - p)) / (q - 1), None), (lambda p, q: -math.log(1 - p), None),
         (lambda p, q: math.log((q - 1) * p), None)],
        [lambda p, q: math.log(p) - math.log(1 - p) + math.log(q - 1),
         lambda p, q: np.log((q - 1) * p / (1 - p))]),
    "ex-cvr-ties": (
        [(ties_inplace, None), (lambda o: o, None), (lambda o: o - o.mean(), None),
         (lambda o: o + o.abs() + 1, None), (lambda o: o.flip(0), None)],
        [lambda o: o - 3.5, lambda o: (o.double() + torch.pi).to(o.dtype), lambda o: [v + 1 for v in o]]),
    "ex-net-temperature": (
        [(temp_inplace, None), (lambda o, T: naive_softmax(o / T), "overflows"),
         (lambda o, T: softmax(o) / T, None), (lambda o, T: F.softmax(o / T, dim=1), "overflows"),
         (lambda o, T: torch.softmax(o / T, dim=1).T, "shape differs")],
        [temp_loop, lambda o, T: torch.softmax(o.double() / T, dim=-1).float(),
         lambda o, T: F.softmax((o - o.amax(1, keepdim=True)) / T, dim=1)]),
    "ex-net-three-gaussians": (
        [(gauss_inplace, None), (gauss_quadratic, None), (lambda X, mu, S, prior: X @ mu.T, None),
         (lambda X, mu, S, prior: X @ torch.linalg.inv(S) @ mu.T + prior.log(), "-1/2 μ_k")],
        [gauss_solve, lambda X, mu, S, prior: (
            X @ torch.linalg.inv(S) @ mu.T - 0.5 * torch.diag(mu @ torch.linalg.inv(S) @ mu.T)
            + prior.log() + 7.0)]),
    "ex-net-bias-count": ([(7860, None), (785 * 11, None), ("7850", None), (10**400, None)],
                          [7850.0, np.int64(7850), torch.tensor(7850)]),
    "ex-batch-einsum": (
        [(lambda X, W, b: X.mul_(1).add_(1) @ W + b - W.sum(0), None),
         (lambda X, W, b: torch.einsum("nd,dq->nq", X, W) + b.sum(), None),
         (lambda X, W, b: torch.einsum("nd,dq->q", X, W) + b, "shape differs")],
        [lambda X, W, b: torch.einsum("ij,jk->ik", X, W) + b,
         lambda X, W, b: torch.einsum("nd,dq->nq", X.double(), W.double()) + b]),
    "ex-batch-single": (
        [(single_inplace, None), (lambda x, W, b: softmax(x[:, None] * W + b)[:1], None),
         (lambda x, W, b: softmax(x[None] @ W) + b, None)],
        [lambda x, W, b: torch.softmax(x.reshape(1, -1) @ W + b, dim=1),
         lambda x, W, b: softmax((x @ W + b).reshape(1, -1))]),
    "ex-batch-memory": ([((10240, 4), None), ((40, 10240), None), ((2560, 40), None),
                         ((10240, 0), None)],
                        [[10240, 40], np.array([10240, 40]), (torch.tensor(10240), 40.0)]),
    "ex-norms-p-limit": (
        [(lambda x, p: x.abs().max(), None), (lambda x, p: x.abs_().pow(p).sum() ** (1 / p), None),
         (lambda x, p: (x.abs() ** p).sum() ** (1 / 2), None),
         (lambda x, p: x.double().abs().pow(p).sum().pow(1 / p).to(x.dtype), None)],  # 4e20^16
        [lambda x, p: (lambda m: m * ((x.abs() / m) ** p).sum() ** (1 / p) if m > 0 else m)(x.abs().max()),
         p_norm_loop]),
    "ex-norms-elastic-net": (
        [(lasso_inplace, None), (lambda v, eta, l1, l2: F.softshrink(v / (1 + eta * l2), eta * l1), None),
         (lambda v, eta, l1, l2: v.sign() * (v.abs() - eta * l1) / (1 + eta * l2), None)],
        [lasso_loop, lambda v, eta, l1, l2: (torch.sign(v) * torch.clamp(v.abs() - eta * l1, min=0)
                                             / (1 + eta * l2))]),
    "ex-norms-submultiplicative": (
        [(lambda A: A.square_().sum(dim=(-2, -1)).sqrt(), None),
         (lambda A: torch.linalg.matrix_norm(A, ord=2), None), (lambda A: A.abs().sum(dim=(-2, -1)), None),
         (lambda A: A.flatten(1).norm(dim=1), "overflow")],
        [lambda A: torch.sqrt((A.double() ** 2).sum(dim=(1, 2))).to(A.dtype),
         lambda A: torch.stack([l2_norm(a.flatten()) for a in A])]),
    "ex-entropy-dice": ([((2.585, 5.17, 5.17), None), ((2.585, 5.17, 3.27), None),
                         ((1.0, 2.0, 3.0), None), ((2.585, 5.17), None)],
                        [[math.log2(6), math.log2(36), 3.2744], np.array([2.585, 5.1699, 3.2744])]),
    "ex-entropy-not-a-distance": (
        [(kl_inplace, None), (lambda p, q: (p * (p / q).log()).nan_to_num().sum(-1), None),
         (lambda p, q: (torch.special.xlogy(p, p) - p * q.log()).nan_to_num().sum(-1), None),
         (lambda p, q: F.kl_div(q.log(), p, reduction="none").sum(-1), None)],  # nan at q = p = 0
        [kl_loop, lambda p, q: (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum(-1)]),
    "ex-entropy-initial-loss": ([(1.0, None), (0.0, None), (3.0, None), (math.log(256), None)],
                                [np.float32(2.3026), torch.tensor(2.3)]),
    "ex-entropy-label-smoothing": (
        [(smooth_inplace, None), (lambda y, q, eps: (1 - eps) * F.one_hot(y, q) + eps, None),
         (lambda y, q, eps: (1 - eps) * F.one_hot(y, q), None)],
        [lambda y, q, eps: torch.full((len(y), q), eps / q).scatter_(1, y[:, None], 1 - eps + eps / q),
         lambda y, q, eps: [[(1 - eps) * (j == t) + eps / q for j in range(q)] for t in y.tolist()]]),
    "ex-losses-huber-limits": (
        [(huber_inplace, None), (lambda y_hat, y, d: torch.where((y - y_hat).abs() <= d, (y - y_hat) ** 2 / 2,
                                                                  d * ((y - y_hat) - d / 2)), None),
         (lambda y_hat, y, d: ((y - y_hat) ** 2 / 2).mean(), "shape differs")],
        [lambda y_hat, y, d: F.huber_loss(y_hat, y, reduction="none", delta=d),
         lambda y_hat, y, d: d * F.smooth_l1_loss(y_hat.double(), y.double(), reduction="none",
                                                  beta=d)]),
    "ex-losses-soft-labels": (
        [(grad_inplace, None), (lambda O, P: P - softmax(O), "Wrong sign"),
         (lambda O, P: naive_softmax(O) - P, "overflows")],
        [lambda O, P: torch.softmax(O.double(), dim=1).to(O.dtype) - P,
         lambda O, P: torch.exp(O - torch.logsumexp(O, dim=1, keepdim=True)) - P]),
    "ex-losses-float64": (
        [(lambda dtype: 88.72, None), (lambda dtype: math.log(torch.finfo(dtype).tiny), None),
         (lambda dtype: torch.finfo(dtype).bits * math.log(2), None)],
        [lambda dtype: torch.log(torch.tensor(torch.finfo(dtype).max, dtype=torch.float64)),
         lambda dtype: np.log(np.float64(torch.finfo(dtype).max))]),
    "ex-dataset-last-batch": (
        [(lambda n, b: (n // b, n % b), None), (lambda n, b: (n // b + 1, n - (n // b) * b), None),
         (lambda n, b: (math.ceil(n / b), b), None)],
        [lambda n, b: (-(-n // b), n - (math.ceil(n / b) - 1) * b),
         lambda n, b: [len(range(0, n, b)), len(range(0, n, b)[-1:] and range(range(0, n, b)[-1], n))]]),
    "ex-scratch-lr": ([(0.5, None), (10, None), ([], None), (-0.1, None)],
                      [np.float32(0.1), torch.tensor(0.1), 1e-1]),
    "ex-scratch-log-zero": (
        [(ce_inplace, None), (lambda O, y: O.exp().sum(1).log() - O[range(len(y)), y], "overflows"),
         (lambda O, y: O[range(len(y)), y] - torch.logsumexp(O, dim=1), "Wrong sign")],
        [ce_float64, lambda O, y: -torch.log_softmax(O, dim=1).gather(1, y[:, None]).squeeze(1)]),
    "ex-scratch-batch-size": ([(0.1, None), (256, None), (2.56, None), (0.1 / 256, "Multiply")],
                              [np.float32(25.6), torch.tensor(25.6, dtype=torch.float64)]),
    "ex-concise-same-start": (
        [(linear_shared, None), (linear_transposed_in_place, None), (linear_frozen, None),
         (lambda W, b: (lambda X: X @ W + b), None)],
        [linear_from_state, linear_parameters]),
    "ex-concise-mean-loss": (
        [(mean_loss_inplace, None), (lambda l, n: l * n, "shape differs"),
         (lambda l, n: l.sum() * n, None)],
        [lambda l, n: l.mean() * n, lambda l, n: float(l.sum()) if l.ndim else float(l) * n]),
    "ex-concise-sum-loss": ([(0.1, None), (25.6 * 256, None), (2.56, None), (256, "factor")],
                            [np.float64(25.6), [25.6][0]]),
    "ex-eval-top2": (
        [(top2_inplace, None), (lambda probs, y: (probs.topk(2, dim=0).indices.T == y[:, None]).any(1)
                                .float().mean(), None),
         (lambda probs, y: (probs.topk(2).indices[:, 1] == y).float().mean(), None)],
        [top2_loop, lambda probs, y: (probs.argsort(1, descending=True)[:, :2] == y[:, None])
         .sum().item() / len(y)]),
    "ex-eval-confident-mistakes": (
        [(confident_inplace, None), (lambda p, y, k: torch.nonzero(p.argmax(1) != y).flatten()[:k], None),
         (lambda p, y, k: p.max(1).values.argsort(descending=True)[p.argmax(1) != y][:k], None)],
        [confident_loop, lambda p, y, k: torch.where(p.argmax(1) != y, p.max(1).values, -1.0)
         .sort(descending=True, stable=True).indices[:min(k, int((p.argmax(1) != y).sum()))]]),
}
