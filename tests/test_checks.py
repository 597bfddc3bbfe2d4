"""Tests of lesson_utils.checks: every registered exercise accepts its reference, rejects a
learner's typical mistakes with the smallest failing input and a hint, and says so in English
and in Chinese."""

from __future__ import annotations

import ast
import inspect
import re
import time
from pathlib import Path

import pytest
from tests.wrong_answers import NOT_CHECKED, WRONG, naive_softmax

import lesson_utils
from lesson_utils import checks, softmax
from lesson_utils.checks import EXERCISES, check
from lesson_utils.i18n import translate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.delenv("LESSON_LANGUAGE", raising=False)
    monkeypatch.delenv("LESSON_FIGURE_TWINS", raising=False)


def exercise_labels():
    labels = []
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        labels += [line.split()[-1] for line in chapter.read_text(encoding="utf-8").splitlines()
                   if line.startswith(":label: ex-")]
    return labels


def test_every_exercise_has_a_check_or_a_reason():
    labels = exercise_labels()
    assert len(labels) == 31
    assert set(EXERCISES) | set(NOT_CHECKED) == set(labels)
    assert not set(EXERCISES) & set(NOT_CHECKED)
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


def chapter_exercises():
    """label -> (the chapter's text from the exercise to its solution, the solution)."""
    found = {}
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        for label in re.findall(r"^:label: (ex-\S+)$", text, flags=re.M):
            turn = text.split(f":label: {label}\n", 1)[1].split(f"{{solution-start}} {label}")[0]
            solution = text.split(f"{{solution-start}} {label}", 1)[1].split("{solution-end}")[0]
            found[label] = (turn, solution)
    return found


@pytest.mark.parametrize("exercise", [*EXERCISES, *NOT_CHECKED])
def test_a_checked_exercise_has_a_your_turn_cell_and_a_solution_that_asserts_its_check(exercise):
    turn, solution = chapter_exercises()[exercise]
    if exercise in NOT_CHECKED:
        assert "check(" not in turn + solution
        return
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", turn, flags=re.S)
    assert len(cells) == 1 and f'\ncheck("{exercise}", ' in cells[0], turn
    assert "*Your turn:* " in turn.split("```{code-cell}")[0]
    stub = cells[0]
    assert f'assert check("{exercise}", ' in solution
    spec = EXERCISES[exercise]
    if spec.inputs is None:  # a number: the stub is ... (or a tuple of them)
        assert re.match(r"[\w, ]+ = \.\.\.(, \.\.\.)*\n", stub), stub
        answer = ... if stub.count("...") == 1 else (..., ...)
    else:  # a function whose body is ..., with the reference's arguments
        name, arguments = re.match(r"def (\w+)\((.*)\):\n    \.\.\.\n", stub).groups()
        names = list(inspect.signature(spec.call or spec.reference).parameters)[bool(spec.call):]
        assert arguments.split(", ") == names[:len(arguments.split(", "))], stub
        answer = eval(f"lambda {arguments}: ...")  # noqa: S307 (the stub, as the learner gets it)
        assert f"def {name}(" in solution  # the solution fills in the same function
    result = check(exercise, answer)
    assert not result.attempted and "not attempted yet" in result.message


def test_a_tuple_of_stubs_is_not_attempted():
    assert not check("ex-batch-memory", (..., ...)).attempted
    assert not check("ex-entropy-dice", (1.0, ..., ...)).attempted
    assert check("ex-batch-memory", (10240, 40)).passed


def test_the_book_build_gets_the_chinese_message_beside_the_english(monkeypatch):
    answer = EXERCISES["ex-batch-einsum"].reference
    assert check("ex-batch-einsum", answer)._repr_mimebundle_() == {
        "text/plain": "✓ ex-batch-einsum: correct, on the edge cases and on generated inputs."}
    monkeypatch.setenv("LESSON_FIGURE_TWINS", "zh_CN")
    bundle = check("ex-batch-einsum", lambda X, W, b: X @ W)._repr_mimebundle_()
    english, chinese = bundle["text/plain"], bundle[checks.TEXT_TWIN_MIME]
    assert english.startswith("✗ ex-batch-einsum: wrong on this input")
    assert "hint: The bias" in english and "hint" not in chinese
    assert chinese.startswith("✗ ex-batch-einsum：") and "提示：" in chinese
    shown = [line.split(" (")[0] for line in english.split("\n")[1:3]]  # X = ..., W = ...
    pairs = zip(chinese.split("\n")[1:3], shown, strict=True)
    assert all(line.startswith(value) for line, value in pairs)
    monkeypatch.setenv("LESSON_LANGUAGE", "zh_CN")  # a Chinese reader's kernel: no twin needed
    assert set(check("ex-batch-einsum", answer)._repr_mimebundle_()) == {"text/plain"}


def test_the_status_page_lists_every_exercise_and_whether_it_is_checked():
    status = (ROOT / "book" / "status.md").read_text(encoding="utf-8")
    row = r"^\| (\d+) \| \{ref\}`(ex-[\w-]+)` \| (.*?) \| (.*?) \|$"
    rows = re.findall(row, status, flags=re.M)
    assert [label for _, label, _, _ in rows] == exercise_labels()
    chapters = {label: int(chapter.name[:2]) for chapter in (ROOT / "chapters").glob("*.md")
                for label in re.findall(r"^:label: (ex-\S+)$", chapter.read_text(), flags=re.M)}
    for chapter, label, checked, caught in rows:
        assert int(chapter) == chapters[label]
        if label in EXERCISES:
            assert checked == "yes" and caught == f"{{glue:text}}`caught_{label.replace('-', '_')}`"
        else:
            assert checked == f"no: {NOT_CHECKED[label]}" and caught == "–"
