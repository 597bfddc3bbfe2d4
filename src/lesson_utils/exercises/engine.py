"""The checker's engine: run a learner's answer against an exercise's reference.

The contract: never ✓ for a wrong answer, never ✗ for a right one, always a verdict within
seconds. So every call of the answer gets its own copies of the inputs, which are compared
afterwards (an answer that changes its arguments in place is wrong), and its result may not
share memory with them; it runs with a deadline, its prints captured, torch's, numpy's and
Python's random generators seeded and restored (an answer's randomness cannot disturb the
notebook); whatever it raises, even SystemExit, becomes a verdict (only KeyboardInterrupt
passes). Numbers are compared in float64 within a tolerance that float32 rounding clears; a
list or numpy array of the right values counts as the tensor. The counterexample shown is the
smallest input hypothesis finds on which the mistake is plain (far above the tolerance), and a
hint appears only where the answer computes what one of the exercise's typical mistakes
computes on that input and on every edge case.
"""

from __future__ import annotations

import contextlib
import contextvars
import dis
import inspect
import io
import random
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis.errors import Flaky, NoSuchExample

from .. import _outputs
from ..i18n import language, translate

SETTINGS = settings(max_examples=30, database=None, derandomize=True, deadline=None,
                    phases=(Phase.generate, Phase.shrink),  # no "explain": it takes seconds
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
DEADLINE = 2.0  # seconds for one call of an answer
BUDGET = 10.0  # seconds for one whole check
PRINTED = 5  # lines of an answer's prints shown
_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)


def _(message: str) -> str:
    """``message`` in the reader's language (English where the catalog lacks it)."""
    return translate(message, _LANGUAGE.get() or language()) or message


@dataclass(frozen=True)
class Spec:
    """One exercise: its reference and how to test an answer against it."""
    reference: Any  # the reference function, or the value of a number exercise
    inputs: Any = None  # strategy of argument tuples; None for a number exercise
    edges: tuple = ()  # argument tuples always tried: ordinary, edge and extreme inputs
    mistakes: tuple = ()  # (typical wrong answer, its hint or None), each written once
    tol: float | None = None  # absolute tolerance (and rtol 1e-6); None: rtol 1e-4 and atol
    atol: float = 1e-5  # 0 where tiny values must be told apart (norms of 1e-30)
    ok: Any = None  # ok(got, want, args) -> bool, or the message saying what is wrong
    view: Any = None  # view(result, *args): what is compared, where not the result itself
    shown: str | None = None  # what "got" is when there is a view
    overflow: bool = False  # exp can overflow here: inf or nan gets the overflow hint
    extra: tuple = ()  # names of inputs after the answer's arguments (for the view only)

    def names(self) -> list[str]:
        """The names of an input's arguments: the answer's (the reference's), then ``extra``."""
        return [*inspect.signature(self.reference).parameters, *self.extra]

    @property
    def arity(self) -> int:
        return len(inspect.signature(self.reference).parameters)


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
        """The message, and in the book's build its twin in the other edition's language
        (lesson_utils._outputs), which that edition shows instead."""
        return _outputs.text_bundle(self.message, self.twins)

    def __bool__(self) -> bool:
        return self.passed


# --------------------------------------------------------------- values

def as64(value: Any) -> torch.Tensor:
    """A tensor, list, tuple, numpy array or number as a float64 tensor (TypeError otherwise)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64)
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.astype(np.float64))
    if isinstance(value, tuple | list):
        return torch.stack([as64(v) for v in value]) if value else torch.zeros(0, dtype=float)
    if isinstance(value, bool | int | float | np.number | np.bool_):
        return torch.tensor(float(value), dtype=torch.float64)
    raise TypeError(type(value).__name__)


def close(got: Any, want: Any, tol: float | None = None, slack: float = 1.0,
          extra: Any = 0.0, atol: float = 1e-5) -> bool:
    """``got`` equals ``want`` entry by entry up to rounding: ``slack`` times the tolerance
    (``tol``, or ``atol`` and 1e-4 of the entry), plus ``extra`` (a number, or one per entry)."""
    try:
        got, want = as64(got), as64(want)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return False
    if got.shape != want.shape:
        return False
    atol, rtol = (atol, 1e-4) if tol is None else (tol, 1e-6)
    limit = slack * (atol + rtol * want.abs()) + extra
    same = (got == want) | (got.isnan() & want.isnan())  # where want is inf or nan: exactly
    return bool(torch.where(want.isfinite(), (got - want).abs() <= limit, same).all())


def _plain(value: Any) -> Any:
    """Tensors and numpy values as Python numbers, to show a number answer as a number."""
    if isinstance(value, torch.Tensor | np.ndarray | np.generic):
        return value.tolist()
    return type(value)(map(_plain, value)) if isinstance(value, tuple | list) else value


def show(value: Any) -> str:
    if isinstance(value, BaseException):
        return _("raised {error}").format(error=f"{type(value).__name__}: {value}"[:300])
    if isinstance(value, np.ndarray | np.number):
        value = value.tolist()
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        shape, dtype = tuple(value.shape), str(value.dtype).removeprefix("torch.")
        if value.numel() > 24:
            return _("a tensor of shape {shape}, {dtype}, from {low:.4g} to {high:.4g}").format(
                shape=shape, dtype=dtype, low=value.min().item(), high=value.max().item())
        return _("{values} (shape {shape}, {dtype})").format(
            values=show(value.tolist()), shape=shape, dtype=dtype)
    if isinstance(value, tuple | list):
        inner = ", ".join(map(show, value))
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, float):  # 1.0 as "1.", as torch shows it
        text = f"{value:.6g}"
        return text if set(text) & set(".eni") else text + "."
    text = repr(value)
    return text if len(text) <= 80 else _("{start}… ({count} characters)").format(
        start=text[:40], count=len(text))


# --------------------------------------------------------------- one call of an answer

class _TooSlow(BaseException):
    """An answer ran past its deadline (a BaseException: an answer's ``except`` misses it)."""


class _Stop(BaseException):
    """Ends the search at once with this verdict (hypothesis does not shrink it)."""


@contextlib.contextmanager
def _sandbox(printed: io.StringIO, seconds: float):
    """Seeded random generators, restored afterwards; prints captured; a deadline."""
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if alarm:
        def ring(signum, frame):
            raise _TooSlow
        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    generator = torch.default_generator  # the CPU's; torch.manual_seed would also queue CUDA's
    states = generator.get_state(), random.getstate(), np.random.get_state()  # noqa: NPY002
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generator.manual_seed(0), random.seed(0), np.random.seed(0)  # noqa: NPY002
            yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        generator.set_state(states[0]), random.setstate(states[1])
        np.random.set_state(states[2])  # noqa: NPY002


def _copies(args: tuple) -> tuple:
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def _tensors_in(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, torch.nn.Module):
        return [*value.parameters(), *value.buffers()]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _tensors_in(v)]
    return []


@dataclass
class _Outcome:
    passed: bool
    got: Any = None  # what is shown as "got"
    want: Any = None
    problem: str | None = None  # a message saying what is wrong, instead of expected/got
    fields: dict = field(default_factory=dict)
    extra: Any = 0.0  # float32's own rounding on this input: 10 times the reference's
    engine: bool = False  # the problem is the engine's finding (in place, None, shared)


def _body(code) -> tuple:
    return tuple((i.opname, repr(i.argval)) for i in dis.get_instructions(code)
                 if i.opname not in ("RESUME", "NOP", "CACHE"))


def _pass(): ...
def _raise(): raise NotImplementedError  # noqa: E704
def _raise_call(): raise NotImplementedError()  # noqa: E704


_STUBS = {_body(stub.__code__) for stub in (_pass, _raise, _raise_call, lambda: ...)}


def untouched(answer: Any) -> bool:
    """The stub as the learner got it: ``...``, None, a tuple of them, or a function whose body
    is ``...``, ``pass`` or ``raise NotImplementedError``."""
    if isinstance(answer, tuple):
        return any(map(untouched, answer))
    if answer is None or answer is ...:
        return True
    code = getattr(answer, "__code__", None)
    return code is not None and _body(code) in _STUBS


# --------------------------------------------------------------- the check

class Checker:
    """One check of one answer: its calls, its prints and its time."""

    def __init__(self, spec: Spec, answer: Any):
        self.spec, self.answer, self.printed = spec, answer, io.StringIO()
        self.start, self.cache, self.wrong, self.last = time.monotonic(), {}, None, None

    def call(self, function, args):
        """``(result or view, the raw result, the exception or None)`` of one call."""
        spec = self.spec
        try:
            with _sandbox(self.printed, DEADLINE):
                result = function(*args[:spec.arity])
                return (result if spec.view is None else spec.view(result, *args)), result, None
        except (KeyboardInterrupt, _Stop):
            raise
        except BaseException as error:  # noqa: B036 (SystemExit too: it becomes a verdict)
            return None, None, error

    def outcome(self, args: tuple) -> _Outcome:
        key = id(args)
        if key in self.cache and self.cache[key][0] is args:
            return self.cache[key][1]
        spec, names = self.spec, self.spec.names()
        want = self.call(spec.reference, _copies(args))[0]
        wide = tuple(a.double() if isinstance(a, torch.Tensor) and a.dtype == torch.float32
                     else a for a in args)
        extra = 0.0
        if any(a is not b for a, b in zip(wide, args, strict=True)):
            with contextlib.suppress(TypeError, ValueError, RuntimeError, OverflowError):
                exact = as64(self.call(spec.reference, wide)[0])
                extra = 10 * (as64(want) - exact).nan_to_num(0, 0, 0).abs()  # per entry
                if spec.overflow:  # logits: every entry's rounding grows with the largest
                    scale = max(a.abs().max().item() for a in args if isinstance(
                        a, torch.Tensor) and a.is_floating_point() and a.numel())
                    extra = max(extra.max().item(), 4 * torch.finfo(torch.float32).eps * scale)
        given = _copies(args)
        before = _copies(given)
        got, raw, error = self.call(self.answer, given)
        self.last = error
        if isinstance(error, _TooSlow):
            raise _Stop(args)
        if time.monotonic() - self.start > BUDGET:
            raise _Stop(self.wrong)
        changed = next((i for i, (a, b) in enumerate(zip(before, given, strict=True))
                        if isinstance(a, torch.Tensor) and not (
                            a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b))), None)
        shared = next((i for t in _tensors_in(raw) for i, a in enumerate(given)
                       if isinstance(a, torch.Tensor) and a.numel() and t.numel()
                       and t.untyped_storage().data_ptr() == a.untyped_storage().data_ptr()), None)
        if changed is not None:
            found = _Outcome(False, got, want, "your answer changed its argument {name} in place: "
                             "it was {before}, afterwards {after}. Compute without changing the "
                             "inputs (o = o / T, not o /= T).",
                             {"name": names[changed], "before": show(before[changed]),
                              "after": show(given[changed])}, engine=True)
        elif error is not None:
            found = _Outcome(False, error, want)
        elif raw is None:
            found = _Outcome(False, None, want, "your answer returned None on this input (a "
                             "missing return?).", engine=True)
        elif shared is not None:
            found = _Outcome(False, got, want, "your answer's result shares memory with its "
                             "argument {name} (it is that tensor, a view of it, or a parameter "
                             "made from it): a change to one changes the other. Return a new "
                             "tensor (.clone()).", {"name": names[shared]}, engine=True)
        else:
            try:  # ok may fail on what an answer returns (a string, a generator): wrong
                verdict = (spec.ok or (lambda g, w, a: close(g, w, spec.tol, 1, extra, spec.atol)))(
                    got, want, args)
            except Exception:
                verdict = False
            found = _Outcome(verdict is True, got, want, None if isinstance(verdict, bool)
                             else verdict)
        found.extra = extra
        self.cache[key] = (args, found)
        if not found.passed and self.wrong is None:
            self.wrong = args
        return found

    def plain(self, args: tuple) -> bool:
        """Wrong on ``args``, and plainly so: not a matter of rounding."""
        found = self.outcome(args)
        return not found.passed and (found.problem is not None or isinstance(
            found.got, BaseException) or not close(found.got, found.want, self.spec.tol, 1000,
                                                   100 * found.extra, self.spec.atol))

    def hint(self, bad: tuple) -> str | None:
        """The hint of the typical mistake the answer computes on ``bad`` and on every edge."""
        spec, probes = self.spec, (bad, *self.spec.edges)
        if self.outcome(bad).engine or isinstance(self.outcome(bad).got, BaseException):
            return None
        got = [self.outcome(args).got for args in probes]

        def agrees(mistake):
            for args, value in zip(probes, got, strict=True):
                theirs, _raw, error = self.call(mistake, _copies(args))
                if isinstance(value, BaseException) != (error is not None) or (
                        error is None and not close(value, theirs, spec.tol)):
                    return False
            return True

        for mistake, hint in spec.mistakes:
            if hint and agrees(mistake):
                return hint
        want = [self.outcome(args).want for args in probes]
        try:
            flipped = all(close(g, -as64(w), spec.tol) for g, w in zip(got, want, strict=True))
            if flipped and any(as64(w).abs().max() > 1e-3 for w in want):
                return "Wrong sign: your answer is the negative of the expected one."
            g, w = as64(got[0]), as64(want[0])
        except (TypeError, ValueError, RuntimeError, OverflowError):
            return None
        if isinstance(got[0], torch.Tensor) and (  # dimensions lost, added or swapped
                g.ndim != w.ndim or g.shape != w.shape and sorted(g.shape) == sorted(w.shape)):
            return "The shape differs from the expected one: check which dimensions you keep."
        if spec.overflow and not g.isfinite().all() and w.isfinite().all():
            return "inf or nan where the answer is finite: exp overflows for large logits " \
                "(above 88.7 in float32), or a probability underflows to 0 before its log. " \
                "Subtract each row's maximum first (softmax(o) = softmax(o - max)), or work " \
                "from the logits (log-sum-exp trick)."
        return None


STUB = "… {exercise}: not attempted yet. Write your answer in place of ... and run the cell again."


def verdict(spec: Spec, answer: Any) -> tuple[bool, bool, str, dict, tuple | None, str]:
    """(passed, attempted, message, the values it shows, the counterexample or None, prints)."""
    if untouched(answer):
        return False, False, STUB, {}, None, ""
    if spec.inputs is None:  # a number
        if callable(answer):
            return False, True, "✗ {exercise}: the answer should be a number, got a function.", \
                {}, None, ""
        values = {"got": _plain(answer), "tol": spec.tol, "want": spec.reference}
        if close(answer, spec.reference, spec.tol):
            return True, True, "✓ {exercise}: correct ({got} is within {tol} of the answer).", \
                values, None, ""
        hint = next((h for value, h in spec.mistakes if h and close(answer, value, spec.tol)),
                    None)
        return False, True, "✗ {exercise}: {got} is not the answer (the check allows a " \
            "difference of {tol}).", {**values, "hint": hint}, (answer,), ""
    if not callable(answer):
        return False, True, "✗ {exercise}: the answer should be a function, got {got}.", \
            {"got": answer}, None, ""
    names = spec.names()[:spec.arity]
    try:
        inspect.signature(answer).bind(*names)
    except TypeError:
        return False, True, "✗ {exercise}: the function should take the arguments ({names}), " \
            "like the stub.", {"names": ", ".join(names)}, None, ""
    except ValueError:  # a built-in without a signature: call it and see
        pass
    checker = Checker(spec, answer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            edge = next((args for args in spec.edges if not checker.outcome(args).passed), None)
            header = "✗ {exercise}: wrong on this input, the smallest that hypothesis found:"
            try:
                find(spec.inputs, lambda args: not checker.outcome(args).passed,
                     settings=settings(SETTINGS, phases=(Phase.generate,)))  # one, unshrunk
                try:  # the smallest where the mistake is plain, else the smallest of all
                    bad = find(spec.inputs, checker.plain, settings=SETTINGS)
                except NoSuchExample:
                    bad = find(spec.inputs, lambda args: not checker.outcome(args).passed,
                               settings=SETTINGS)
            except NoSuchExample:
                header, bad = "✗ {exercise}: wrong on this edge case:", edge
    except _Stop as stop:
        slow, bad = isinstance(checker.last, _TooSlow), stop.args[0]
        if slow or bad is None:
            return False, True, "✗ {exercise}: your answer took longer than {seconds} s on " \
                "this input, so the check stopped it:" if slow else "✗ {exercise}: your " \
                "answer took longer than {seconds} s over all the inputs, so the check stopped " \
                "it.", {"seconds": DEADLINE if slow else BUDGET}, bad, checker.printed.getvalue()
        header = "✗ {exercise}: wrong on this input:"
    except Flaky:
        return False, True, "✗ {exercise}: your answer gave different results for the same " \
            "input. Does it draw random numbers, or keep something between calls?", {}, None, \
            checker.printed.getvalue()
    if bad is None:
        return True, True, "✓ {exercise}: correct, on the edge cases and on generated inputs.", \
            {}, None, checker.printed.getvalue()
    found = checker.outcome(bad)
    values = {"got": found.got, "want": found.want, "problem": found.problem,
              "fields": found.fields, "hint": checker.hint(bad)}
    return False, True, header, values, tuple(bad), checker.printed.getvalue()


def speaking(lang: str, render) -> str:
    """``render()`` with the messages in ``lang``."""
    token = _LANGUAGE.set(lang)
    try:
        return render()
    finally:
        _LANGUAGE.reset(token)


def render(exercise: str, spec: Spec, found: tuple, number: int | None = None) -> str:
    """The message of ``verdict``'s result, in the reader's language, naming the exercise as
    its page does ("Exercise 7") where its ``number`` is known."""
    _passed, _attempted, message, values, bad, printed = found
    extra = {k: show(v) for k, v in values.items() if k in ("got", "tol")}
    name = exercise if number is None else _("Exercise {}").format(number)
    lines = [_(message).format(exercise=name, **{**values, **extra})]
    if bad is not None and spec.inputs is not None:
        lines += [f"    {name} = {show(value)}" for name, value in zip(spec.names(), bad,
                                                                        strict=False)]
        if values.get("problem"):
            lines.append("  " + _(values["problem"]).format(**values["fields"]))
        elif "want" in values:
            if spec.ok is None:
                lines.append("  " + _("expected: {}").format(show(values["want"])))
            else:
                lines.append("  " + _("one right answer: {}").format(show(values["want"])))
            label = _("got:      {}") if spec.shown is None else _(spec.shown)
            lines.append("  " + label.format(show(values["got"])))
    if values.get("hint"):
        lines.append("  " + _("hint: {}").format(_(values["hint"])))
    if printed.strip():
        shown = printed.rstrip("\n").split("\n")
        lines.append("  " + _("your answer printed ({count} lines; the first {shown}):").format(
            count=len(shown), shown=min(len(shown), PRINTED)))
        lines += [f"    | {line[:120]}" for line in shown[:PRINTED]]
    return "\n".join(lines)


def check_with(exercises: dict, exercise_id: str, answer: Any, number: int | None = None
               ) -> Result:
    if exercise_id not in exercises:
        raise ValueError(f"no check for exercise {exercise_id!r}; the exercises with checks "
                         f"are: {', '.join(exercises)}")
    spec = exercises[exercise_id]
    found = verdict(spec, answer)
    twin = _outputs.twin_language()  # the book's build: the message in its other language too
    twins = ({twin: speaking(twin, lambda: render(exercise_id, spec, found, number))}
             if twin and twin != language() else {})
    return Result(exercise_id, found[0], found[1], render(exercise_id, spec, found, number),
                  found[4], twins)
