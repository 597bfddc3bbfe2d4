"""Feedback on the exercises: ``check(exercise_id, answer)`` tells the learner whether it is right.

A chapter's "your turn" cell below an exercise ends with ``check("ex-...", answer)``.
For a function, ``check`` runs the answer and the exercise's reference on hand-picked
ordinary, edge and extreme inputs and on inputs hypothesis generates (shapes, float32
and float64, large logits, ties, single rows), and shows the smallest input hypothesis
finds that the answer gets wrong, what was expected, what came back and a hint where
the mistake is a typical one. A number is compared with the answer within a stated
tolerance. A stub (``...``, ``None``, a tuple of them, a function that returns None or raises
NotImplementedError) gets a "not attempted yet" line. ``check`` never raises for a
wrong or missing answer, only for an unknown exercise id. Its messages come from the
package's catalog (:mod:`lesson_utils.i18n`), in the reader's language. In the book's build
(``LESSON_FIGURE_TWINS=zh_CN``) a result also carries its Chinese message, which the
Chinese edition shows (:data:`TEXT_TWIN_MIME`).

An answer takes the reference's arguments in order:
``inspect.signature(EXERCISES[exercise_id].reference)``.
"""

from __future__ import annotations

import contextvars
import inspect
import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from .functional import one_hot, softmax
from .i18n import language, translate
from .information import entropy, kl_divergence
from .losses import huber_loss

__all__ = ["EXERCISES", "Result", "Spec", "TEXT_TWIN_MIME", "check"]

SETTINGS = settings(max_examples=30, database=None, derandomize=True, deadline=None,
                    phases=(Phase.generate, Phase.shrink),  # no "explain": it takes seconds
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)


_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
TEXT_TWIN_MIME = "text/x.lesson-zh_CN+plain"  # a message's Chinese twin, beside its text/plain


def _(message: str) -> str:
    """``message`` in the reader's language (English where the catalog lacks it)."""
    return translate(message, _LANGUAGE.get() or language()) or message


@dataclass(frozen=True)
class Result:
    """What :func:`check` found; its repr is the message shown to the learner."""
    exercise: str
    passed: bool
    attempted: bool
    message: str
    counterexample: tuple | None = None
    twins: dict = field(default_factory=dict, repr=False)  # the message in other languages

    def __repr__(self) -> str:
        return self.message

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """In the book's build (``LESSON_FIGURE_TWINS=zh_CN``) the Chinese message comes along
        as :data:`TEXT_TWIN_MIME`, which the Chinese edition shows instead."""
        twin = self.twins.get("zh_CN")
        return {"text/plain": self.message, **({TEXT_TWIN_MIME: twin} if twin else {})}

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class Spec:
    """One exercise: its reference and how to test an answer against it."""
    reference: Any  # the reference function, or the value of a number exercise
    inputs: Any = None  # strategy of argument tuples; None for a number exercise
    edges: tuple = ()  # hand-picked argument tuples: ordinary, edge and extreme inputs
    hints: tuple = ()  # (detector(got, want, args) -> bool, message), most specific first
    tol: float | None = None  # absolute tolerance; None: rtol 1e-4, atol 1e-6
    ok: Any = None  # ok(got, want, args), where "close to the reference" is not the test
    call: Any = None  # call(answer, *args), where the answer is not called on the arguments


# --------------------------------------------------------------- comparing and showing

def _tensor(value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64)
    if isinstance(value, tuple | list):
        return torch.stack([_tensor(v) for v in value])
    return torch.tensor(float(value), dtype=torch.float64)


def _close(got: Any, want: Any, tol: float | None = None) -> bool:
    try:
        got, want = _tensor(got), _tensor(want)
    except (TypeError, ValueError, RuntimeError):
        return False
    rtol, atol = (1e-4, 1e-6) if tol is None else (0.0, tol)
    return got.shape == want.shape and torch.allclose(got, want, rtol, atol, equal_nan=True)


def _show(value: Any) -> str:
    if isinstance(value, BaseException):
        return _("raised {error}").format(error=f"{type(value).__name__}: {value}")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        shape, dtype = tuple(value.shape), str(value.dtype).removeprefix("torch.")
        if value.numel() > 24:
            return _("a tensor of shape {shape}, {dtype}, from {low:.4g} to {high:.4g}").format(
                shape=shape, dtype=dtype, low=value.min().item(), high=value.max().item())
        return _("{values} (shape {shape}, {dtype})").format(
            values=_show(value.tolist()), shape=shape, dtype=dtype)
    if isinstance(value, tuple | list):
        inner = ", ".join(map(_show, value))
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, float):  # 1.0 as "1.", as torch shows it
        text = f"{value:.6g}"
        return text if set(text) & set(".eni") else text + "."
    return repr(value)


# --------------------------------------------------------------- typical mistakes

def _like(mistake):
    """A detector: the answer computes what ``mistake(*args)`` computes."""
    return lambda got, want, args: _close(got, mistake(*args))


def _is(value, rtol=1e-3):
    return lambda got, want, args: _close(got, value, rtol * abs(_tensor(value)).max().item())


def _n(args):
    return next(a.shape[0] for a in args if isinstance(a, torch.Tensor) and a.ndim)


def _axis(got, want, args):
    got = _tensor(got)
    return got.ndim >= 2 and _close(got.sum(0), 1 + 0 * got[0]) and not _close(got.sum(-1), 1)


def _off_by_one(got, want, args):
    gap = _tensor(got) - _tensor(want)
    return bool(gap.abs().max() == 1 and (gap == gap.round()).all())


GENERIC = (
    (lambda g, w, a: not _tensor(g).isfinite().all() and _tensor(w).isfinite().all(),
     "inf or nan where the answer is finite: exp overflows for large logits (above 88.7 in "
     "float32), or a probability underflows to 0 before its log. Subtract each row's maximum "
     "first (softmax(o) = softmax(o - max)), or work from the logits (log-sum-exp trick)."),
    (_axis, "Your columns sum to 1, not your rows: normalise over the classes, the last "
     "dimension (dim=-1), one row per example."),
    (lambda g, w, a: _close(g, -_tensor(w)) and not _close(w, 0 * _tensor(w)),
     "Wrong sign: your answer is the negative of the expected one."),
    (lambda g, w, a: _close(g, _tensor(w) * _n(a)) and not _close(w, 0 * _tensor(w)),
     "n times the answer: a count or a sum where a fraction or a mean is expected "
     "(a missing .mean()?)."),
    (lambda g, w, a: _close(_tensor(g) * _n(a), w) and not _close(w, 0 * _tensor(w)),
     "The answer divided by n: a fraction or a mean where a count or a sum is expected."),
    (_off_by_one, "Off by one."),
    (lambda g, w, a: _tensor(g).shape != _tensor(w).shape,
     "The shape differs from the expected one: check which dimensions you keep."),
)


def _hint(spec: Spec, got: Any, want: Any, args: tuple) -> str | None:
    for detector, message in (*spec.hints, *GENERIC):
        try:
            if detector(got, want, args):
                return message
        except Exception:  # a detector that does not apply (no tensor, no n, ...)
            continue
    return None


# --------------------------------------------------------------- check

STUB = "… {exercise}: not attempted yet. Write your answer in place of ... and run the cell again."


class _Stub(Exception):
    """The answer is a stub: it returned None or raised NotImplementedError."""


def _run(call, function, args):
    """``call(function, *args)`` on copies of the tensors (an answer may change its inputs)."""
    def answered(*args):
        result = function(*args)
        if result is None or result is ...:
            raise _Stub
        return result
    return call(answered, *(a.clone() if isinstance(a, torch.Tensor) else a for a in args))


def check(exercise_id: str, answer: Any) -> Result:
    """Check a learner's ``answer`` to the exercise labelled ``exercise_id``; never raises for
    a wrong or missing answer, but raises ValueError for an exercise without a check.

    >>> check("ex-batch-einsum", lambda X, W, b: torch.einsum("nd,dq->nq", X, W) + b)
    ✓ ex-batch-einsum: correct, on the edge cases and on generated inputs.
    >>> check("ex-batch-einsum", lambda X, W, b: ...)
    … ex-batch-einsum: not attempted yet. Write your answer in place of ... and run the cell again.
    >>> check("ex-net-bias-count", 7840).passed
    False
    """
    if exercise_id not in EXERCISES:
        raise ValueError(f"no check for exercise {exercise_id!r}; the exercises with checks "
                         f"are: {', '.join(EXERCISES)}")
    spec = EXERCISES[exercise_id]
    passed, attempted, message, values, bad = _verdict(spec, answer)

    def render() -> str:
        shown = {name: _show(value) for name, value in values.items() if name != "want"}
        lines = [_(message).format(exercise=exercise_id, **shown)]
        if bad is not None and spec.inputs is not None:
            names = list(inspect.signature(spec.call or spec.reference).parameters)
            lines += [f"    {name} = {_show(value)}"
                      for name, value in zip(names[bool(spec.call):], bad, strict=False)]
            lines += ["  " + _("expected: {}").format(_show(values["want"])),
                      "  " + _("got:      {}").format(_show(values["got"]))]
        hint = None if bad is None else _hint(spec, values["got"], values["want"],
                                              () if spec.inputs is None else bad)
        return "\n".join(lines + (["  " + _("hint: {}").format(_(hint))] if hint else []))

    twin = os.environ.get("LESSON_FIGURE_TWINS")  # the book's build: the Chinese text too
    twins = {twin: _speaking(twin, render)} if twin and twin != language() else {}
    return Result(exercise_id, passed, attempted, render(), bad, twins)


def _verdict(spec: Spec, answer: Any) -> tuple[bool, bool, str, dict, tuple | None]:
    """(passed, attempted, message, the values it shows, the counterexample or None)."""
    if _is_stub(answer):
        return False, False, STUB, {}, None
    if spec.inputs is None:  # a number
        if callable(answer):
            return False, True, "✗ {exercise}: the answer should be a number, got a function.", \
                {}, None
        values = {"got": answer, "tol": spec.tol, "want": spec.reference}
        if _close(answer, spec.reference, spec.tol):
            return True, True, "✓ {exercise}: correct ({got} is within {tol} of the answer).", \
                values, None
        return False, True, "✗ {exercise}: {got} is not the answer (the check allows a " \
            "difference of {tol}).", values, (answer,)
    if not callable(answer):
        return False, True, "✗ {exercise}: the answer should be a function, got {got}.", \
            {"got": answer}, None
    call = spec.call or (lambda function, *args: function(*args))

    def outcome(args):
        want = _run(call, spec.reference, args)
        try:
            got = _run(call, answer, args)
            passed = (spec.ok or (lambda g, w, a: _close(g, w, spec.tol)))(got, want, args)
        except NotImplementedError as error:
            raise _Stub from error
        except (_Stub, KeyboardInterrupt):
            raise
        except Exception as error:  # the answer failed on this input: a wrong answer
            return False, error, want
        return bool(passed), got, want

    with warnings.catch_warnings():  # nothing but the message in a page's output
        warnings.simplefilter("ignore")
        try:
            outcome(spec.edges[0])
            header = "✗ {exercise}: wrong on this input, the smallest that hypothesis found:"
            try:
                bad = find(spec.inputs, lambda args: not outcome(args)[0], settings=SETTINGS)
            except NoSuchExample:
                header = "✗ {exercise}: wrong on this edge case:"
                bad = next((args for args in spec.edges if not outcome(args)[0]), None)
            if bad is None:
                return True, True, "✓ {exercise}: correct, on the edge cases and on generated " \
                    "inputs.", {}, None
            _passed, got, want = outcome(bad)
        except _Stub:
            return False, False, STUB, {}, None
    return False, True, header, {"got": got, "want": want}, tuple(bad)


def _is_stub(answer: Any) -> bool:
    """``...`` or None, alone or in a tuple of answers (``copy_bytes, view_bytes = ..., ...``)."""
    parts = answer if isinstance(answer, tuple) else (answer,)
    return any(part is None or part is ... for part in parts)


def _speaking(lang: str, render) -> str:
    """``render()`` with the messages in ``lang``."""
    token = _LANGUAGE.set(lang)
    try:
        return render()
    finally:
        _LANGUAGE.reset(token)


# --------------------------------------------------------------- inputs

DTYPES = (torch.float32, torch.float64)


@st.composite
def _tensors(draw, shapes, lo=-10.0, hi=10.0, dtype=None, extra=(), **sizes):
    """Tensors named by ``shapes``, one dtype: ``"nq n<q"`` is O (n, q) and labels y (n,)
    below q; each letter a size from 1 to 4 (or ``sizes[letter]``), drawn once; a digit
    a fixed size. Then the ``extra`` arguments: strategies, or functions of the sizes."""
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
def _ranked(draw, top=False):
    """Probabilities (n, q) without ties, even between rows' maxima; labels; maybe a k."""
    n, q = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    scales = torch.tensor(draw(st.permutations(range(1, n + 1))), dtype=torch.float64)
    ranks = torch.tensor([draw(st.permutations(range(q))) for _ in range(n)], dtype=torch.float64)
    y = torch.tensor(draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)))
    return softmax(ranks * scales[:, None]), y, *([draw(st.integers(1, 6))] if top else [])


def _t(*shape, dtype=torch.float32, scale=1.0):
    """A fixed, readable tensor for the edge cases."""
    return (torch.arange(math.prod(shape), dtype=dtype).reshape(shape) % 7 - 3) * scale


def _dist(counts):
    counts = counts.floor() + (counts.floor().sum(-1, keepdim=True) == 0)
    return counts / counts.sum(-1, keepdim=True)


def _bayes(X, mu, Sigma, prior, quadratic=1.0):
    S_inv = torch.linalg.inv(Sigma)
    return X @ S_inv @ mu.T - quadratic * 0.5 * ((mu @ S_inv) * mu).sum(1) + prior.log()


def _soft_grad(O, P):
    O = O.detach().clone().requires_grad_()
    F.cross_entropy(O, P, reduction="sum").backward()
    return O.grad


def _to_linear(W, b):
    layer = torch.nn.Linear(*W.shape)
    with torch.no_grad():
        layer.weight.copy_(W.T)
        layer.bias.copy_(b)
    return layer


def _last_batch(n, batch_size):
    return (n + batch_size - 1) // batch_size, (n - 1) % batch_size + 1


def _mistakes(probs, y, k, key=None, descending=True):
    confidence, preds = probs.max(dim=1)
    if key is not None:
        confidence = key(probs, y)
    wrong = torch.nonzero(preds != y).flatten()
    return wrong[confidence[wrong].argsort(descending=descending)[:k]]


def _fn(reference, inputs, *edges, hints=(), **options):
    return Spec(reference, inputs, edges, hints, **options)


def _num(value, tol, *hints):
    return Spec(value, None, (), hints, tol)


_T = torch.tensor
_O = _T([[2.0, -1.0, 0.5]])
_DICE = entropy(_T([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]) / 36, base=2).item()
_RATE = (_is(0.1 / 256), "Multiply, do not divide: the summed gradient of 256 examples is 256 "
         "times their mean gradient, as if the learning rate were 0.1 · 256.")

EXERCISES: dict[str, Spec] = {
    "ex-cvr-far-points": _fn(
        lambda x, y, a, c: int(((a * x + c > 0.5).long() != y).sum()),
        _tensors("n n<2", -10, 30, extra=(st.floats(-2, 2), st.floats(-2, 2))),
        (_t(6), _T([0, 0, 0, 1, 1, 1]), 0.2, 0.5), (_T([0.0]), _T([1]), 0.0, 0.5),
        hints=((_like(lambda x, y, a, c: int(((a * x + c >= 0.5).long() != y).sum())),
                "The rule is class 1 where a x + c > 0.5; a point exactly at 0.5 is class 0."),
               (_like(lambda x, y, a, c: int(((a * x + c > 0).long() != y).sum())),
                "The threshold is 0.5, not 0."))),
    "ex-cvr-margin": _fn(
        lambda p, q: math.log((q - 1) * p / (1 - p)),
        st.tuples(st.floats(0.5, 0.999), st.integers(2, 1000)), (0.99, 10), (0.5, 2),
        hints=((_like(lambda p, q: math.log(p / (1 - p))), "The true class competes with "
                "q - 1 other classes, each trailing by the margin: 1 / (1 + (q - 1) e^-Δ)."),
               (_like(lambda p, q: math.log(q * p / (1 - p))),
                "Off by one: there are q - 1 other classes, not q."))),
    "ex-cvr-ties": _fn(
        lambda o: o + 1, _tensors("q", -100, 100, q=(2, 5)), (_O[0],), (_T([0.0, 0.0]),),
        ok=lambda g, w, a: not torch.equal(g, a[0]) and _close(softmax(_tensor(g)),
                                                               softmax(_tensor(a[0]))),
        hints=((lambda g, w, a: torch.equal(g, a[0]), "That is the same vector: find a different"
                " one, for every o (also o = 0)."),
               (lambda g, w, a: True, "Its softmax differs: only the differences o_i - o_j "
                "matter, so add the same constant to every logit (scaling changes them)."))),
    "ex-net-temperature": _fn(
        lambda o, T: softmax(o / T), _tensors("nq", -100, 100, extra=(st.floats(0.01, 100),)),
        (_O, 1.0), (_O, 0.01), (_T([[1.0, 1.0, 1.0]]), 0.5), (_t(3, 4, scale=30.0), 10.0),
        hints=((_like(lambda o, T: softmax(o * T)),
                "A temperature divides the logits: softmax(o / T), not o * T."),)),
    "ex-net-three-gaussians": _fn(
        _bayes, _tensors("nd qd dd q", -3, 3, torch.float64, n=(1, 2), d=(1, 2), q=(2, 3)).map(
            lambda t: (t[0], t[1], t[2] @ t[2].T + torch.eye(len(t[2]), dtype=t[2].dtype),
                       softmax(t[3]))),
        (_t(4, 3, dtype=torch.float64), _t(3, 3, dtype=torch.float64) / 2,
         torch.eye(3, dtype=torch.float64), _T([0.2, 0.5, 0.3], dtype=torch.float64)),
        call=lambda f, X, mu, Sigma, prior: softmax(f(X, mu, Sigma, prior)),
        hints=((_like(lambda X, mu, Sigma, prior: softmax(_bayes(X, mu, Sigma, 0 * prior + 1))),
                "The prior is missing: add log P(y = k) to each class's logit."),
               (_like(lambda X, mu, Sigma, prior: softmax(_bayes(X, mu, Sigma, prior, 0.0))),
                "The quadratic term -1/2 μ_k^T Σ^-1 μ_k of each class is missing."),
               (_like(lambda *a: softmax(_bayes(a[0], a[1], torch.linalg.inv(a[2]), a[3]))),
                "Use the inverse covariance Σ^-1, not Σ."))),
    "ex-net-bias-count": _num(
        7850, 0, (_is(7840), "That is W alone: the constant feature adds one weight per class."),
        (_is(785), "That is one class: each of the 10 classes has its 785 weights.")),
    "ex-batch-einsum": _fn(
        lambda X, W, b: X @ W + b, _tensors("nd dq q"), (_t(2, 3), _t(3, 4), _t(4)),
        (_t(1, 1), _t(1, 1), _t(1)),
        hints=((_like(lambda X, W, b: X @ W), "The bias b is missing: add it after the einsum."),
               (_like(lambda X, W, b: X @ W.T + b), "W has shape (d, q): \"nd,dq->nq\"."))),
    "ex-batch-single": _fn(
        lambda x, W, b: softmax(x[None] @ W + b), _tensors("d dq 1q", -3, 3),
        (_t(3), _t(3, 4), _t(1, 4)), (_t(1), _t(1, 1), _t(1, 1)),
        hints=((lambda g, w, a: g.shape == w.shape[1:], "That has shape (q,): pass x[None], a "
                "batch of one (1, d), so that the result is a row (1, q)."),)),
    "ex-batch-memory": _num(
        (10240, 40), 0,
        (_is((2560, 10)), "Those are numbers of elements; a float32 takes 4 bytes."),
        (_is((10240, 10240)), "The broadcast view (expand) shares the 40 bytes of b's storage.")),
    "ex-norms-p-limit": _fn(
        lambda x, p: torch.linalg.vector_norm(x, ord=p),
        _tensors("n", extra=(st.sampled_from([1, 2, 3, 4, 8, 16]),)),
        (_T([3.0, -4.0, 1.0]), 2), (_T([3.0, -4.0, 1.0], dtype=torch.float64), 64),
        hints=((_like(lambda x, p: (x**p).sum() ** (1 / p)),
                "Take absolute values first: |x_i|^p (an odd p keeps the signs)."),
               (_like(lambda x, p: (x.abs() ** p).sum()), "The p-th root is missing."))),
    "ex-norms-elastic-net": _fn(
        lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) / (1 + eta * lam2),
        _tensors("n", -5, 5, extra=(st.floats(0.01, 1), st.floats(0, 2), st.floats(0, 5))),
        (_T([-2.0, -0.5, 0.0, 0.3, 1.5]), 0.5, 1.0, 2.0),
        hints=((_like(lambda v, eta, lam1, lam2: F.softshrink(v, lam1) / (1 + eta * lam2)),
                "The threshold is η λ1, the step size times λ1."),
               (_like(lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) / (1 + lam2)),
                "Divide by 1 + η λ2, with the step size η."),
               (_like(lambda v, eta, lam1, lam2: F.softshrink(v, eta * lam1) * (1 + eta * lam2)),
                "Divide by 1 + η λ2, do not multiply: the L2 part shrinks."))),
    "ex-norms-submultiplicative": _fn(
        lambda A: torch.linalg.matrix_norm(A), _tensors("bmn"), (_t(2, 2, 3),), (_t(1, 1, 1),),
        hints=((_like(lambda A: torch.linalg.matrix_norm(A) ** 2), "The square root is missing."),
               (_like(lambda A: A.square().sum().sqrt()), "That is one norm for the whole "
                "batch: sum over the last two dimensions only, dim=(-2, -1)."))),
    "ex-entropy-dice": _num(
        (math.log2(6), 2 * math.log2(6), _DICE), 1e-3,
        (_is(tuple(h * math.log(2) for h in (math.log2(6), 2 * math.log2(6), _DICE))),
         "Those are nats: in bits, use log2 (or base=2).")),
    "ex-entropy-not-a-distance": _fn(
        kl_divergence, _tensors("nk nk", 0, 3.5).map(lambda t: (_dist(t[0]), _dist(t[1] + 1))),
        (_T([0.9, 0.1]), _T([0.5, 0.5])), (_T([[1.0, 0.0], [0.1, 0.9]]), _T([[0.5, 0.5]] * 2)),
        hints=((_like(lambda p, q: kl_divergence(q, p)),
                "That is KL(q || p): the divergence is not symmetric, p comes first."),
               (_like(lambda p, q: (p * (p / q).log()).sum(-1)),
                "0 log 0 counts as 0: use torch.special.xlogy, or skip the entries where p = 0."),
               (_like(lambda p, q: kl_divergence(p, q, base=2)), "Use the natural log (nats)."),
               (_like(lambda p, q: kl_divergence(p, q).sum()),
                "One divergence per row: sum over the last dimension only."))),
    "ex-entropy-initial-loss": _num(
        math.log(10), 0.05,
        (_is(math.log2(10), 0.05), "That is in bits; the loss uses the natural log (nats)."),
        (_is(0.1, 0.05), "That is the probability of the true class; the loss is its -log.")),
    "ex-entropy-label-smoothing": _fn(
        lambda y, q, eps: (1 - eps) * one_hot(y, q) + eps / q,
        _tensors("n<q", q=(2, 10), extra=(lambda dims: st.just(dims["q"]), st.floats(0, 0.5))),
        (_T([3]), 10, 0.1), (_T([0, 1]), 2, 0.5),
        hints=((_like(lambda y, q, eps: torch.where(one_hot(y, q) == 1, 1 - eps, eps / (q - 1))),
                "Off by one: ε / q goes to every one of the q entries, the true class too."),
               (_like(lambda y, q, eps: one_hot(y, q) + eps / q),
                "Scale the one-hot part by 1 - ε, or the row sums to 1 + ε."))),
    "ex-losses-huber-limits": _fn(
        huber_loss, _tensors("n n", extra=(st.floats(0.01, 10),)),
        (_T([0.5, 3.0]), _T([0.0, 0.0]), 1.0), (_T([-2.0]), _T([0.0]), 2.0),
        hints=((_like(lambda y_hat, y, delta: torch.where((y - y_hat).abs() <= delta,
                (y - y_hat) ** 2, delta * ((y - y_hat).abs() - delta / 2))),
                "The quadratic piece is e^2 / 2, with the 1/2."),
               (_like(lambda y_hat, y, delta: torch.where((y - y_hat).abs() <= delta,
                (y - y_hat) ** 2 / 2, delta * (y - y_hat).abs())), "The linear piece is "
                "δ (|e| - δ / 2): without - δ / 2 the two pieces do not meet at |e| = δ."))),
    "ex-losses-soft-labels": _fn(
        _soft_grad, _tensors("nq nq", -100, 100).map(lambda t: (t[0], softmax(t[1] / 10))),
        (_t(2, 3), softmax(_t(2, 3, scale=0.5))), (_T([[0.0, 200.0]]), _T([[0.9, 0.1]])),
        hints=((_like(lambda O, P: softmax(O, dim=0) - P), "Your softmax normalises the "
                "columns: normalise over the classes, the last dimension (dim=-1)."),
               (_like(lambda O, P: (softmax(O) - P) / len(O)),
                "That is the gradient of the mean; the loss here is the sum, no division by n."))),
    "ex-losses-float64": _fn(
        lambda dtype: math.log(torch.finfo(dtype).max),
        st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64]).map(
            lambda d: (d,)), (torch.float32,), (torch.float64,), tol=0.01,
        hints=((_like(lambda dtype: math.log2(torch.finfo(dtype).max)),
                "e^t overflows: use the natural log, math.log, not log2."),
               (_like(lambda dtype: math.log10(torch.finfo(dtype).max)),
                "e^t overflows: use the natural log, math.log, not log10."),
               (_like(lambda dtype: torch.finfo(dtype).max),
                "That is the largest number itself; the threshold is its log."))),
    "ex-dataset-last-batch": _fn(
        _last_batch, st.tuples(st.integers(1, 100_000), st.integers(1, 1024)),
        (60_000, 256), (512, 256), (1, 1),
        hints=((_like(lambda n, batch_size: (_last_batch(n, batch_size)[0], n % batch_size)),
                "When batch_size divides n, the last minibatch is full, not empty."),
               (_like(lambda n, batch_size: (n // batch_size, _last_batch(n, batch_size)[1])),
                "n // batch_size drops the last, partial minibatch: round up."))),
    "ex-scratch-lr": _num(
        0.1, 0,
        (_is(1.0), "With 1 the steps overshoot and the loss becomes nan within the first epoch."),
        (_is(0.01), "With 0.01 the steps are too small to get as far in three epochs.")),
    "ex-scratch-log-zero": _fn(
        lambda O, y: F.cross_entropy(O, y, reduction="none"),
        _tensors("nq n<q", -1000, 1000), (_T([[0.0, 200.0]]), _T([0])), (_t(2, 3), _T([2, 0])),
        hints=((_like(lambda O, y: -softmax(O)[range(len(y)), y].log()), "The probability of "
                "the true class underflows towards 0 before the log: work from the logits, "
                "log Σ_j exp(o_j) - o_y, with the log-sum-exp trick."),
               (_like(lambda O, y: F.cross_entropy(O, y)),
                "One loss per example, shape (n,): no .mean() here."),)),
    "ex-scratch-batch-size": _num(25.6, 1e-6, _RATE),
    "ex-concise-same-start": _fn(
        _to_linear, _tensors("dq q nd", dtype=torch.float32),
        (_t(3, 4), _t(4), _t(2, 3)), (_t(2, 2), _t(2), _t(1, 2)),
        call=lambda f, W, b, X: f(W, b)(X),
        hints=((_like(lambda W, b, X: X @ W.T + b), "nn.Linear stores the weights as W^T, one "
                "row per class: copy W.T into .weight."),
               (lambda g, w, a: _close(g - a[2] @ a[0], (g - a[2] @ a[0])[:1].expand_as(g)),
                "The weights are right but not the bias: copy b into .bias too."))),
    "ex-concise-mean-loss": _fn(
        lambda l, batch_size: l.sum() if l.ndim else l * batch_size,
        _tensors("n", 0, 10, extra=(st.booleans(),)).map(
            lambda t: (t[0].mean() if t[1] else t[0], len(t[0]))),
        (_T([1.0, 2.0, 3.0]), 3), (_T(2.5), 4),
        hints=((_like(lambda l, batch_size: l.sum()), "A scalar loss (reduction=\"mean\") is "
                "already the mean: multiply it by the batch size."),
               (_like(lambda l, batch_size: l.mean()), "The summed loss, not the mean."))),
    "ex-concise-sum-loss": _num(
        25.6, 1e-6, _RATE,
        (_is(256), "256 is the factor; the learning rate it acts like is 0.1 · 256.")),
    "ex-eval-top2": _fn(
        lambda probs, y: (probs.topk(2, dim=1).indices == y[:, None]).any(dim=1).double().mean(),
        _ranked(), (softmax(_t(3, 4, dtype=torch.float64)), _T([0, 2, 1])),
        hints=((_like(lambda probs, y: (probs.argmax(1) == y).double().mean()),
                "That is top-1 accuracy; top-2 also counts the second most probable class."),)),
    "ex-eval-confident-mistakes": _fn(
        _mistakes, _ranked(top=True), (softmax(_t(5, 3, dtype=torch.float64) * _T(
            [[1.0], [2.0], [3.0], [4.0], [5.0]], dtype=torch.float64)), _T([0, 0, 2, 1, 2]), 2),
        hints=((_like(lambda p, y, k: _mistakes(p, y, k, descending=False)),
                "Most confident first: sort in descending order."),
               (_like(lambda p, y, k: p.max(1).values.argsort(descending=True)[:k]),
                "Keep only the mistakes, where the prediction differs from the label."),
               (_like(lambda p, y, k: _mistakes(p, y, k, key=lambda p, y: p[range(len(y)), y])),
                "Confidence is the probability of the predicted class, not of the true one."))),
}
