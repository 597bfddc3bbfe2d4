"""Tests of lesson_utils.checks: every registered exercise accepts its reference, rejects a
learner's typical mistakes with the smallest failing input and a hint, and says so in English
and in Chinese."""

from __future__ import annotations

import ast
import inspect
import math
import time
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import lesson_utils
from lesson_utils import checks, softmax
from lesson_utils.checks import EXERCISES, check
from lesson_utils.i18n import translate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.delenv("LESSON_LANGUAGE", raising=False)


# --- learners' answers: typical mistakes, written as a learner would ---------------------------

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
        (lambda x, W, b: naive_softmax(x[None] @ W + b), "overflows")],
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
NOT_CHECKED = {"ex-dataset-batch-size", "ex-dataset-shuffle", "ex-eval-seeds"}


def exercise_labels():
    labels = []
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        labels += [line.split()[-1] for line in chapter.read_text(encoding="utf-8").splitlines()
                   if line.startswith(":label: ex-")]
    return labels


def test_every_exercise_has_a_check_or_a_reason():
    labels = exercise_labels()
    assert len(labels) == 31
    assert set(EXERCISES) | NOT_CHECKED == set(labels) and not set(EXERCISES) & NOT_CHECKED
    assert set(WRONG) == set(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_passes_its_own_check(exercise):
    spec = EXERCISES[exercise]
    result = check(exercise, spec.reference)
    assert result.passed and result.attempted and result.counterexample is None, result
    assert repr(result) == result.message and result.message.startswith(f"✓ {exercise}: correct")


@pytest.mark.parametrize(("exercise", "answer", "hint"),
                         [(e, a, h) for e, wrong in WRONG.items() for a, h in wrong])
def test_a_typical_mistake_is_rejected_with_the_input_that_shows_it(exercise, answer, hint):
    spec = EXERCISES[exercise]
    result = check(exercise, answer)
    assert not result.passed and result.attempted and result.counterexample, result
    assert result.message.startswith(f"✗ {exercise}: "), result
    if spec.inputs is None:
        assert "the check allows a difference of" in result.message, result
    else:
        names = list(inspect.signature(spec.call or spec.reference).parameters)[bool(spec.call):]
        names = names[:len(result.counterexample)]  # not the reference's own options
        assert all(f"\n    {name} = " in result.message for name in names), result
        assert "\n  expected: " in result.message and "\n  got:      " in result.message
    if hint:
        assert "\n  hint: " in result.message and hint in result.message, result


def test_the_counterexample_is_the_smallest_hypothesis_finds():
    result = check("ex-net-temperature", lambda o, T: naive_softmax(o / T))
    o, T = result.counterexample
    assert o.shape == (1, 1) and T == 1.0 and 88.7 < o.item() <= 100  # exp(o) just overflows
    result = check("ex-net-temperature", lambda o, T: softmax(o / T, dim=0))
    assert result.counterexample[0].shape == (1, 2)  # one row, the fewest classes that show it


def stub_function(O, y):
    ...


def stub_raises(O, y):
    raise NotImplementedError


@pytest.mark.parametrize("answer", [..., None, stub_function, stub_raises, lambda O, y: ...])
@pytest.mark.parametrize("exercise", ["ex-scratch-log-zero", "ex-net-bias-count"])
def test_a_stub_is_not_attempted_yet_and_raises_nothing(exercise, answer):
    if EXERCISES[exercise].inputs is None and callable(answer):
        return  # a number exercise given a function: the next test
    result = check(exercise, answer)
    assert not result.passed and not result.attempted and result.counterexample is None
    assert result.message == f"… {exercise}: not attempted yet. Write your answer in place of " \
                             "... and run the cell again."


def test_an_answer_of_the_wrong_kind_or_that_raises_is_wrong_not_an_error():
    assert "should be a number" in check("ex-net-bias-count", lambda: 7850).message
    assert "should be a function, got 2.5" in check("ex-batch-einsum", 2.5).message
    result = check("ex-batch-einsum", lambda X, W, b: X @ W.T + b)
    assert "raised RuntimeError" in result.message or "\n  hint: W has shape" in result.message


def test_an_unknown_exercise_is_an_error_that_names_it_and_the_known_ones():
    with pytest.raises(ValueError, match=r"'ex-nope'.*ex-batch-einsum, .*ex-eval-top2"):
        check("ex-nope", 1)


def test_a_number_prints_its_tolerance():
    assert check("ex-entropy-initial-loss", 2.32).message == \
        "✓ ex-entropy-initial-loss: correct (2.32 is within 0.05 of the answer)."
    assert check("ex-entropy-initial-loss", 2.4).message.startswith(
        "✗ ex-entropy-initial-loss: 2.4 is not the answer (the check allows a difference of 0.05).")


def test_the_messages_in_chinese(monkeypatch):
    monkeypatch.setenv("LESSON_LANGUAGE", "zh_CN")
    assert check("ex-batch-einsum", lambda X, W, b: X @ W + b).message == \
        "✓ ex-batch-einsum：正确，通过了边界情况和自动生成的输入。"
    message = check("ex-net-temperature", lambda o, T: softmax(o / T, dim=0)).message
    assert message.startswith("✗ ex-net-temperature：在下面这个输入上出错") and "形状" in message
    assert "提示：" in message and "维度" in message and "hint" not in message
    overflow = check("ex-net-temperature", lambda o, T: naive_softmax(o / T)).message
    assert "未规范化的预测" in overflow and "上溢" in overflow
    assert "尚未作答" in check("ex-scratch-log-zero", stub_function).message
    assert "0.05" in check("ex-entropy-initial-loss", 3.32).message


def catalog_messages():
    """Every message checks shows: the literals it passes to _(), and the hints."""
    tree = ast.parse(inspect.getsource(checks))
    literals = {node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "_" and isinstance(node.args[0], ast.Constant)}
    hints = {message for spec in EXERCISES.values() for _, message in spec.hints}
    marked = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
              and isinstance(node.value, str) and node.value.startswith(("✓ ", "✗ ", "… "))}
    return literals | marked | hints | {message for _, message in checks.GENERIC}


def test_every_message_is_in_the_catalog():
    messages = catalog_messages()
    assert len(messages) > 60
    missing = sorted(m for m in messages if translate(m, "zh_CN") in (None, m))
    assert not missing


def test_check_is_exported_and_fast():
    assert lesson_utils.check is check and "check" in lesson_utils.__all__
    start = time.perf_counter()
    check("ex-eval-top2", EXERCISES["ex-eval-top2"].reference)
    print(f"one check: {time.perf_counter() - start:.2f} s")
