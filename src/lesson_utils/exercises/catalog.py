"""The checked exercises: for each, what a right answer must satisfy, its reference, the inputs
that reach the mistake it is about, and its typical mistakes as code with their hints.

Every answer must also leave its arguments unchanged and return no view of them (the engine
checks both); numbers compare in float64, so float32, numpy scalars and lists of the right
values pass where the exercise does not ask for a tensor.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from ..functional import one_hot, softmax
from ..information import entropy, kl_divergence
from ..losses import huber_loss
from ..norms import frobenius_norm
from .engine import Spec, as64, close

T = torch.tensor
DTYPES = (torch.float32, torch.float64)
ODD = T([[0.3127, -1.4142, 2.7183, 0.0071], [-0.5772, 1.618, 0.6931, -2.3026]])  # not round


@st.composite
def tensors(draw, shapes, lo=-10.0, hi=10.0, dtype=None, extra=(), **sizes):
    """Tensors named by ``shapes``, one dtype: ``"nq n<q"`` is O (n, q) and labels y (n,)
    below q; each letter a size from 1 to 4 (or ``sizes[letter]``), drawn once; a digit a
    fixed size. Then the ``extra`` arguments: strategies, or functions of the sizes."""
    dims, dtype = {}, dtype or draw(st.sampled_from(DTYPES))

    def size(c):
        if c.isdigit():
            return int(c)
        if c not in dims:
            dims[c] = draw(st.integers(*sizes.get(c, (1, 4))))
        return dims[c]

    args = []
    for token in shapes.split():
        shape, _, below = token.partition("<")
        shape = [size(c) for c in shape]
        values = (st.integers(0, size(below) - 1) if below else
                  st.floats(lo, hi, width=32, allow_subnormal=False))
        flat = draw(st.lists(values, min_size=math.prod(shape), max_size=math.prod(shape)))
        args.append(torch.tensor(flat, dtype=torch.long if below else dtype).reshape(shape))
    return (*args, *(draw(e(dims) if callable(e) else e) for e in extra))


@st.composite
def ranked(draw, top=False):
    """Probabilities (n, q) without ties, even between rows' maxima; labels; maybe a k."""
    n, q = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    scales = torch.tensor(draw(st.permutations(range(1, n + 1))), dtype=torch.float64)
    ranks = torch.tensor([draw(st.permutations(range(q))) for _ in range(n)], dtype=torch.float64)
    y = torch.tensor(draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)))
    return softmax(ranks * scales[:, None] * 0.37), y, *([draw(st.integers(1, 6))] if top else [])


def dist(counts):
    """Rows of counts 0-3 as probabilities, zeros kept (a row of zeros becomes uniform)."""
    counts = counts.floor() + (counts.floor().sum(-1, keepdim=True) == 0)
    return counts / counts.sum(-1, keepdim=True)


def bayes(X, mu, Sigma, prior, quadratic=1.0):
    S_inv = torch.linalg.inv(Sigma)
    return X @ S_inv @ mu.T - quadratic * 0.5 * ((mu @ S_inv) * mu).sum(1) + prior.log()


def gaussians(t):
    """X with a third row halfway between the first two (where affine logits are the mean)."""
    X, mu, A, o = t
    X = torch.cat([X, (X[:1] + X[1:2]) / 2])
    return X, mu, A @ A.T + torch.eye(len(A), dtype=A.dtype), softmax(o)


def affine_bayes(g, w, args):
    if not close(softmax(torch.as_tensor(g)), softmax(w)):
        return False
    g = torch.as_tensor(g, dtype=torch.float64)
    return close(g[-1], (g[0] + g[1]) / 2) or "your logits are not affine in x: at the midpoint " \
        "of the first two rows they are not the mean of theirs (a term quadratic in x, the " \
        "same for every class, leaves the softmax unchanged but is not part of the answer)."


def scaled(norm, x, dims):
    """``norm`` of x in float64 after dividing by the largest magnitude (0 stays 0)."""
    m = x.double().abs().amax(dim=dims, keepdim=True)
    m = torch.where(m > 0, m, 1.0)
    return (m.squeeze(dims) * norm(x.double() / m)).to(x.dtype)


def soft_grad(O, P):
    O = O.detach().clone().requires_grad_()
    F.cross_entropy(O, P, reduction="sum").backward()
    return O.grad


def to_linear(W, b):
    layer = torch.nn.Linear(*W.shape, dtype=W.dtype)
    with torch.no_grad():
        layer.weight.copy_(W.T)
        layer.bias.copy_(b)
    return layer


def applied(layer, W, b, X):
    """A layer's output on X: what it computes, if it is a trainable nn.Linear."""
    trainable = isinstance(layer, torch.nn.Linear) and all(
        p.requires_grad and p.is_leaf for p in layer.parameters())
    return layer(X) if trainable else "an nn.Linear with trainable parameters"


def linear_ok(g, w, args):
    if isinstance(g, str):
        return "your answer should return an nn.Linear whose parameters require gradients " \
            "(the chapter trains it)."
    return close(g, w)


def last_batch(n, batch_size):
    return (n + batch_size - 1) // batch_size, (n - 1) % batch_size + 1


def confident(probs, y, k, key=None, descending=True):
    confidence, preds = probs.max(dim=1)
    if key is not None:
        confidence = key(probs, y)
    wrong = torch.nonzero(preds != y).flatten()
    return wrong[confidence[wrong].argsort(descending=descending, stable=True)[:k]]


def fn(reference, inputs, *edges, mistakes=(), **options):
    return Spec(reference, inputs, edges, mistakes, **options)


def num(value, tol, *mistakes):
    return Spec(value, None, (), mistakes, tol)


DICE = entropy(T([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]) / 36, base=2).item()
RATE = (0.1 / 256, "Multiply, do not divide: the summed gradient of 256 examples is 256 times "
        "their mean gradient, as if the learning rate were 0.1 · 256.")
OVERFLOW = T([[1000.0, -1000.0, 999.5], [-50.0, 0.0, 3000.0]])

EXERCISES: dict[str, Spec] = {
    # an int-like count of the points the rule "class 1 where a x + c > 0.5" gets wrong
    "ex-cvr-far-points": fn(
        lambda x, y, a, c: int(((a * x + c > 0.5).long() != y).sum()),
        tensors("n n<2", -10, 30, extra=(st.floats(-2, 2), st.floats(-2, 2))),
        (T([0.0, 1, 2, 3, 4, 5]), T([0, 0, 0, 1, 1, 1]), 0.2, 0.1), (T([0.0, 2.5]), T([1, 0]),
                                                                         0.2, 0.0),
        (T([-3.1, 0.4, 7.7, 12.0]), T([1, 0, 1, 1]), 0.3, -0.6),
        (T([0.0, 1, 2, 3, 4, 5]), T([1, 0, 1, 0, 0, 1]), 0.2, 0.1),  # errors both ways
        mistakes=((lambda x, y, a, c: int(((a * x + c >= 0.5).long() != y).sum()),
                   "The rule is class 1 where a x + c > 0.5; a point exactly at 0.5 is class 0."),
                  (lambda x, y, a, c: int(((a * x + c > 0).long() != y).sum()),
                   "The threshold is 0.5, not 0."),
                  (lambda x, y, a, c: ((a * x + c > 0.5).long() != y).float().mean().item(),
                   "A fraction where a count is asked: the number of errors, not their share."))),
    # a float: log((q - 1) p / (1 - p)), for p in [0.5, 1) and q >= 2
    "ex-cvr-margin": fn(
        lambda p, q: math.log((q - 1) * p / (1 - p)),
        st.tuples(st.floats(0.5, 0.999), st.integers(2, 1000)), (0.99, 10), (0.5, 2), (0.73, 3),
        mistakes=((lambda p, q: math.log(p / (1 - p)), "The true class competes with q - 1 "
                   "other classes, each behind it by the margin: p = 1 / (1 + (q - 1) e^-Δ)."),
                  (lambda p, q: math.log(q * p / (1 - p)),
                   "There are q - 1 other classes, not q: solve 1 / (1 + (q - 1) e^-Δ) = p."))),
    # a vector of o's shape and dtype, different from o (o = 0 too), with the same softmax in
    # o's dtype (so not a constant so large that float32 rounds o + c)
    "ex-cvr-ties": fn(
        lambda o: o + 1, tensors("q", -100, 100, q=(2, 5)), (ODD[0],), (T([0.0, 0.0]),),
        (T([0.0, -200.0]),), (T([-1.0, -3.5]),),  # log-probabilities; a maximum of -1
        (ODD[1].double(),), (T([1e6, 1e6 + 64.0]),),
        ok=lambda g, w, a: close(softmax(torch.as_tensor(g, dtype=a[0].dtype)), softmax(a[0])) and (
            not torch.equal(as64(g), as64(a[0])) or "That is the same vector: find a different "
            "one, for every o (also o = 0)."),
        mistakes=((lambda o: 2 * o, "Scaling changes the differences o_i - o_j, and with them "
                   "the softmax: add the same constant to every logit instead."),
                  (lambda o: o + 1e6, "So large a constant makes float32 round o + c: the "
                   "differences change. A small constant, such as 1, keeps them."))),
    # (n, q) rows summing to 1 along dim -1, finite for |o| <= 100 and every T > 0, also one
    # so small (1e-37) that o / T overflows float32
    "ex-net-temperature": fn(
        lambda o, T: softmax((o - o.amax(-1, keepdim=True)) / T),
        tensors("nq", -100, 100, extra=(st.floats(0.001, 100),)),
        (ODD, 1.0), (ODD, 0.001), (T([[1.0, 1.0, 1.0]]), 0.5), (T([[0.0, 1e-3]]), 1e-4),
        (ODD.double() * 30, 10.0), (ODD * 100, 1e-37), overflow=True,
        mistakes=((lambda o, T: softmax(o * T),
                   "A temperature divides the logits: softmax(o / T), not o * T."),
                  (lambda o, T: softmax(o / T, dim=0), "Your columns sum to 1, not your rows: "
                   "normalise over the classes, the last dimension (dim=-1)."))),
    # logits affine in each row x of X whose softmax is the Bayes posterior
    "ex-net-three-gaussians": fn(
        lambda X, mu, Sigma, prior: bayes(X, mu, Sigma, prior),
        tensors("nd qd dd q", -3, 3, torch.float64, n=(2, 3), d=(1, 3), q=(2, 3)).map(gaussians),
        gaussians((ODD[:, :3].double(), ODD[:, 1:].double().repeat(2, 1)[:3],
                   ODD[:, :3].double().repeat(2, 1)[:3], T([0.2, 0.5, 0.3], dtype=torch.float64))),
        ok=affine_bayes,
        mistakes=((lambda X, mu, S, prior: bayes(X, mu, S, 0 * prior + 1),
                   "The prior is missing: add log P(y = k) to each class's logit."),
                  (lambda X, mu, S, prior: bayes(X, mu, S, prior, 0.0),
                   "The term -1/2 μ_k^T Σ^-1 μ_k of each class is missing."),
                  (lambda X, mu, S, prior: bayes(X, mu, torch.linalg.inv(S), prior),
                   "Use the inverse covariance Σ^-1, not Σ."))),
    "ex-net-bias-count": num(  # an int: 784 weights and one for the constant, per class
        7850, 0, (7840, "That is W alone: the constant feature adds one weight per class."),
        (785, "That is one class: each of the 10 classes has its 785 weights."),
        (7851, "Off by one: the constant feature replaces the bias, it does not add to it.")),
    # X @ W + b with b of shape (q,) or (1, q): shape (n, q)
    "ex-batch-einsum": fn(
        lambda X, W, b: X @ W + b, tensors("nd dq q"), (ODD[:, :3], ODD[:, :3].T, ODD[0, :2]),
        (T([[1.5]]), T([[2.0]]), T([0.25])), (ODD[:, :2].double(), ODD[:, 1:].double(),
                                               ODD[1:, 1:].double()),
        mistakes=((lambda X, W, b: X @ W, "The bias b is missing: add it after the einsum."),
                  (lambda X, W, b: torch.einsum("nd,qd->nq", X, W.T) + b.T, None))),
    # softmax(x[None] @ W + b): shape (1, q) for b of shape (q,) or (1, q)
    "ex-batch-single": fn(
        lambda x, W, b: softmax(x[None] @ W + b), tensors("d dq q", -3, 3).flatmap(
            lambda t: st.sampled_from([t, (t[0], t[1], t[2][None])])),
        (ODD[0, :3], ODD[:, :3].T, ODD[1, :2]), (ODD[0, :3], ODD[:, :3].T, ODD[1:, :2]),
        (T([0.5]), T([[1.0, -1.0]]), T([0.0, 0.0])),
        mistakes=((lambda x, W, b: softmax(x @ W + b), "That has shape (q,): pass x[None], a "
                   "batch of one (1, d), so that the result is a row (1, q)."),
                  (lambda x, W, b: softmax(x[None] @ W + b, dim=0), "Your columns sum to 1, "
                   "not your rows: normalise over the classes, the last dimension (dim=-1)."))),
    "ex-batch-memory": num(  # two ints: 256 · 10 · 4 bytes, and b's own 10 · 4
        (10240, 40), 0, ((2560, 10), "Those are numbers of elements; a float32 takes 4 bytes."),
        ((10240, 10240), "The broadcast view (expand) shares the 40 bytes of b's storage.")),
    # a scalar (sum |x_i|^p)^(1/p), x's dtype, for every integer p >= 1, also where |x_i|^p
    # overflows (the text asks for x = (3, -4, 1), p = 64 in float32) and for x = 0
    "ex-norms-p-limit": fn(
        lambda x, p: scaled(lambda v: torch.linalg.vector_norm(v, ord=p), x, (-1,)),
        tensors("n", extra=(st.sampled_from([1, 2, 3, 4, 8, 16]),)),
        (T([3.0, -4.0, 1.0]), 2), (T([3.0, -4.0, 1.0]), 64), (ODD[0], 3), (T([-2.5]), 1),
        (T([0.0, 0.0]), 3), (T([3e20, -4e20], dtype=torch.float64), 16), (T([-3.0, -4.0]), 2),
        atol=0.0,
        mistakes=((lambda x, p: (x**p).sum() ** (1 / p),
                   "Take absolute values first: |x_i|^p (an odd p keeps the signs)."),
                  (lambda x, p: (x.abs() ** p).sum(), "The p-th root is missing."),
                  (lambda x, p: (x.abs() ** p).sum() ** (1 / p), "|x_i|^p overflows here: "
                   "divide by m = max |x_i| first and multiply back, m (Σ (|x_i| / m)^p)^(1/p)."),
                  (lambda x, p: x.abs().max() * ((x.abs() / x.abs().max()) ** p).sum() ** (1 / p),
                   "For x = 0, m = max |x_i| is 0 and x / m is nan: the norm of 0 is 0."))),
    # softshrink(v, eta lam1) / (1 + eta lam2), elementwise, v's shape
    "ex-norms-elastic-net": fn(
        lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) / (1 + eta * lam2),
        tensors("n", -5, 5, extra=(st.floats(0.01, 1), st.floats(0, 2), st.floats(0, 5))),
        (T([-2.0, -0.5, 0.0, 0.3, 1.5]), 0.5, 1.0, 2.0), (ODD[1], 0.3, 0.7, 1.3),
        mistakes=((lambda v, eta, lam1, lam2: F.softshrink(v, lam1) / (1 + eta * lam2),
                   "The threshold is η λ1, the step size times λ1."),
                  (lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) / (1 + lam2),
                   "Divide by 1 + η λ2, with the step size η."),
                  (lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) * (1 + eta * lam2),
                   "Divide by 1 + η λ2, do not multiply: the L2 part shrinks."))),
    # shape (b,): the square root of each matrix's sum of squares, also where the squares
    # overflow or underflow (entries of 3e20 or 3e-30 in float32) and for a zero matrix
    "ex-norms-submultiplicative": fn(
        lambda A: frobenius_norm(A), tensors("bmn"), (ODD.reshape(2, 2, 2),), (T([[[1.5]]]),),
        (ODD.repeat(3, 1).reshape(3, 2, 4),), (T([[[3e20, 4e20]], [[3e-30, -4e-30]]]),),
        (T([[[0.0, 0.0]], [[-1.0, 0.5]]]),), atol=0.0,
        mistakes=((lambda A: A.square().sum(dim=(-2, -1)), "The square root is missing."),
                  (lambda A: A.square().sum(dim=(-2, -1)).sqrt(), "The squares overflow (or "
                   "underflow to 0) here: divide each matrix by its largest |a_ij| first and "
                   "multiply back, as l2_norm does."),
                  (lambda A: A.square().sum().sqrt(), "That is one norm for the whole batch: "
                   "sum over the last two dimensions only, dim=(-2, -1)."))),
    "ex-entropy-dice": num(  # three floats, in bits
        (math.log2(6), 2 * math.log2(6), DICE), 1e-3,
        (tuple(h * math.log(2) for h in (math.log2(6), 2 * math.log2(6), DICE)),
         "Those are nats: in bits, use log2 (or base=2).")),
    # one KL per row, in nats, 0 log 0 = 0, inf where q = 0 < p; rows may hold zeros
    "ex-entropy-not-a-distance": fn(
        lambda p, q: kl_divergence(p, q),
        tensors("nk nk", 0, 3.5, k=(2, 4)).map(lambda t: (dist(t[0]), dist(t[1]))),
        (T([[0.9, 0.1]]), T([[0.5, 0.5]])), (T([[1.0, 0.0], [0.1, 0.9]]), T([[0.5, 0.5]] * 2)),
        (T([[0.25, 0.0, 0.75]]), T([[0.5, 0.0, 0.5]])), (T([[0.5, 0.5]]), T([[1.0, 0.0]])),
        mistakes=((lambda p, q: kl_divergence(q, p),
                   "That is KL(q || p): the divergence is not symmetric, p comes first."),
                  (lambda p, q: (p * (p / q).log()).sum(-1),
                   "0 log 0 counts as 0: use torch.special.xlogy, or skip the entries where "
                   "p = 0."),
                  (lambda p, q: kl_divergence(p, q, base=2), "Use the natural log (nats)."),
                  (lambda p, q: kl_divergence(p, q).sum(),
                   "One divergence per row: sum over the last dimension only."))),
    "ex-entropy-initial-loss": num(  # log 10 in nats, give or take 0.05
        math.log(10), 0.05, (math.log2(10), "That is in bits; the loss uses the natural log."),
        (0.1, "That is the probability of the true class; the loss is its -log.")),
    # shape (n, q): (1 - eps) one-hot + eps / q
    "ex-entropy-label-smoothing": fn(
        lambda y, q, eps: (1 - eps) * one_hot(y, q) + eps / q,
        tensors("n<q", q=(2, 10), extra=(lambda dims: st.just(dims["q"]), st.floats(0, 0.5))),
        (T([3]), 10, 0.1), (T([0, 1]), 2, 0.5), (T([2, 0, 2]), 4, 0.3),
        mistakes=((lambda y, q, eps: torch.where(one_hot(y, q) == 1, 1 - eps, eps / (q - 1)),
                   "Spread ε over all q entries, the true class too: each gets ε / q, not "
                   "ε / (q - 1)."),
                  (lambda y, q, eps: one_hot(y, q) + eps / q,
                   "Scale the one-hot part by 1 - ε, or the row sums to 1 + ε."))),
    # one loss per element: e^2 / 2 where |e| <= delta, else delta (|e| - delta / 2), to a
    # relative 1e-4 also as delta -> 0 (the limit the exercise is about)
    "ex-losses-huber-limits": fn(
        huber_loss, tensors("n n", extra=(st.floats(0.001, 10),)),
        (T([0.5, 3.0]), T([0.0, 0.0]), 1.0), (T([-2.0]), T([0.0]), 2.0),
        (ODD[0], ODD[1], 0.7), (ODD[0] * 3, ODD[1], 1e-3), atol=0.0,  # delta -> 0: relative
        mistakes=((lambda y_hat, y, d: torch.where((y - y_hat).abs() <= d, (y - y_hat) ** 2,
                                                   d * ((y - y_hat).abs() - d / 2)),
                   "The quadratic piece is e^2 / 2, with the 1/2."),
                  (lambda y_hat, y, d: torch.where((y - y_hat).abs() <= d, (y - y_hat) ** 2 / 2,
                                                   d * (y - y_hat).abs()), "The linear piece is "
                   "δ (|e| - δ / 2): without - δ / 2 the two pieces do not meet at |e| = δ."))),
    # softmax(O) - P, (n, q), finite for logits far past float64's exp range
    "ex-losses-soft-labels": fn(
        soft_grad, tensors("nq nq", -1e4, 1e4).map(lambda t: (t[0], softmax(t[1] / 1e3))),
        (ODD, softmax(ODD.flip(0))), (T([[0.0, 200.0]]), T([[0.9, 0.1]])),
        (OVERFLOW, softmax(OVERFLOW / 1e3)), overflow=True,
        mistakes=((lambda O, P: softmax(O, dim=0) - P, "Your softmax normalises the columns: "
                   "normalise over the classes, the last dimension (dim=-1)."),
                  (lambda O, P: (softmax(O) - P) / len(O),
                   "That is the gradient of the mean; the loss here is the sum, no division "
                   "by n."))),
    # a float: log of the largest finite number of dtype (within 0.01)
    "ex-losses-float64": fn(
        lambda dtype: math.log(torch.finfo(dtype).max),
        st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64]).map(
            lambda d: (d,)), (torch.float32,), (torch.float64,), (torch.float16,), tol=0.01,
        mistakes=((lambda dtype: math.log2(torch.finfo(dtype).max),
                   "e^t overflows: use the natural log, math.log, not log2."),
                  (lambda dtype: math.log10(torch.finfo(dtype).max),
                   "e^t overflows: use the natural log, math.log, not log10."),
                  (lambda dtype: torch.finfo(dtype).max,
                   "That is the largest number itself; the threshold is its log."))),
    # two ints: ceil(n / batch_size) and the size of the last minibatch (full if it divides)
    "ex-dataset-last-batch": fn(
        last_batch, st.tuples(st.integers(1, 100_000), st.integers(1, 1024)),
        (60_000, 256), (512, 256), (1, 1), (1000, 3),
        mistakes=((lambda n, b: (last_batch(n, b)[0], n % b),
                   "When batch_size divides n, the last minibatch is full, not empty."),
                  (lambda n, b: (n // b, last_batch(n, b)[1]),
                   "n // batch_size drops the last, partial minibatch: round up."))),
    "ex-scratch-lr": num(  # 0.1 (float32 and numpy scalars of it too)
        0.1, 1e-6,
        (1.0, "With 1 the steps overshoot and the loss becomes nan within the first epoch."),
        (0.01, "With 0.01 the steps are too small to get as far in three epochs.")),
    # one loss per example, shape (n,), finite for |logits| up to 1e4 (past float64's exp)
    "ex-scratch-log-zero": fn(
        lambda O, y: F.cross_entropy(O, y, reduction="none"),
        tensors("nq n<q", -1e4, 1e4), (T([[0.0, 200.0]]), T([0])), (ODD, T([2, 0])),
        (OVERFLOW, T([1, 0])), overflow=True,
        mistakes=((lambda O, y: -softmax(O)[range(len(y)), y].log(), "The probability of the "
                   "true class underflows to 0 before the log: work from the logits, log Σ_j "
                   "exp(o_j) - o_y, with the log-sum-exp trick."),
                  (lambda O, y: F.cross_entropy(O, y).expand(len(y)),
                   "One loss per example, shape (n,): no .mean() here."))),
    "ex-scratch-batch-size": num(25.6, 1e-6, RATE),  # 0.1 · 256
    # a trainable nn.Linear, sharing no memory with W or b, whose output on X is X @ W + b
    "ex-concise-same-start": fn(
        to_linear, tensors("dq q nd", dtype=torch.float32), (ODD[:, :3].T, ODD[0, :2], ODD[:, 1:]),
        (T([[2.0]]), T([0.5]), T([[1.0], [-1.0]])), view=applied, ok=linear_ok, extra=("X",),
        shown="got (your layer applied to X): {}",
        mistakes=((lambda W, b: to_linear(W.T.reshape(W.shape), b), "nn.Linear stores the "
                   "weights as W^T, one row per class: copy W.T into .weight."),
                  (lambda W, b: to_linear(W, 0 * b), "The weights are right but not the bias: "
                   "copy b into .bias too."))),
    # a 0-d tensor or number: the sum, from the mean (a 0-d l) or from the losses (shape (n,))
    "ex-concise-mean-loss": fn(
        lambda l, batch_size: l.sum() if l.ndim else l * batch_size,
        tensors("n", 0, 10, extra=(st.booleans(),)).map(
            lambda t: (t[0].mean() if t[1] else t[0], len(t[0]))),
        (T([1.0, 2.0, 3.5]), 3), (T(2.5), 4), (T(0.7319), 256),
        mistakes=((lambda l, batch_size: l.sum(), "A scalar loss (reduction=\"mean\") is "
                   "already the mean: multiply it by the batch size."),
                  (lambda l, batch_size: l.mean() if l.ndim else l,
                   "The summed loss, not the mean."))),
    "ex-concise-sum-loss": num(
        25.6, 1e-6, RATE, (256, "256 is the factor; the learning rate it acts like is 0.1 · 256.")),
    # a fraction in [0, 1]: rows whose label is among their two most probable classes
    "ex-eval-top2": fn(
        lambda probs, y: (probs.topk(2, dim=1).indices == y[:, None]).any(dim=1).double().mean(),
        ranked(), (softmax(ODD.double()), T([0, 2])), (softmax(ODD.repeat(2, 1)), T([3, 1, 0, 2])),
        mistakes=((lambda probs, y: (probs.argmax(1) == y).double().mean(),
                   "That is top-1 accuracy; top-2 also counts the second most probable class."),
                  (lambda probs, y: (probs.topk(2, dim=1).indices == y[:, None]).sum(),
                   "A count where a fraction is asked: divide by the number of examples."))),
    # the indices of the k wrong rows with the largest max probability, most confident first
    "ex-eval-confident-mistakes": fn(
        lambda probs, y, k: confident(probs, y, k), ranked(top=True),
        (softmax(ODD.repeat(3, 1).double() * T(
            [[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]])), T([0, 1, 2, 1, 2, 3]), 2),
        (softmax(ODD.double()), T([2, 1]), 3), (T([[0.7, 0.25, 0.05], [0.05, 0.6, 0.35],
                                                  [0.5, 0.45, 0.05], [0.1, 0.1, 0.8]]),
                                                 T([1, 0, 1, 2]), 3),
        mistakes=((lambda p, y, k: confident(p, y, k, descending=False),
                   "Most confident first: sort in descending order."),
                  (lambda p, y, k: p.max(1).values.argsort(descending=True)[:k],
                   "Keep only the mistakes, where the prediction differs from the label."),
                  (lambda p, y, k: confident(p, y, k, key=lambda p, y: p[range(len(y)), y]),
                   "Confidence is the probability of the predicted class, not of the true one."))),
}
# every exercise, in the book's order: sphinx-exercise numbers them 1, 2, ... across the book,
# and the checker names an exercise as its page does ("Exercise 7"); a test reads the chapters
BOOK_ORDER = (
    "ex-cvr-far-points", "ex-cvr-margin", "ex-cvr-ties",
    "ex-net-temperature", "ex-net-three-gaussians", "ex-net-bias-count",
    "ex-batch-einsum", "ex-batch-single", "ex-batch-memory",
    "ex-norms-p-limit", "ex-norms-elastic-net", "ex-norms-submultiplicative",
    "ex-entropy-dice", "ex-entropy-not-a-distance", "ex-entropy-initial-loss",
    "ex-entropy-label-smoothing",
    "ex-losses-huber-limits", "ex-losses-soft-labels", "ex-losses-float64",
    "ex-dataset-batch-size", "ex-dataset-last-batch", "ex-dataset-shuffle",
    "ex-scratch-lr", "ex-scratch-log-zero", "ex-scratch-batch-size",
    "ex-concise-same-start", "ex-concise-mean-loss", "ex-concise-sum-loss",
    "ex-eval-seeds", "ex-eval-top2", "ex-eval-confident-mistakes",
)
# exercise -> why it has no check (the status page shows it)
NOT_CHECKED = {
    "ex-dataset-batch-size": "its answer is a timing, which depends on the machine",
    "ex-dataset-shuffle": "it asks to show a property of the two iterators, not for an answer",
    "ex-eval-seeds": "its answer takes minutes of training and is a judgement",
}
