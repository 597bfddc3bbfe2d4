"""Tests of lesson_utils.exercises: never a wrong ✓ (the catalog's typical mistakes and the
learners' wrong answers of tests/learner_answers.py, in-place changes included), never a wrong
✗ (right answers written differently), a hint only where it fits, always a verdict in seconds
(odd answers), in English and in Chinese; and the chapters' your-turn cells."""

from __future__ import annotations

import ast
import inspect
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from tests.learner_answers import ANSWERS, naive_softmax

import lesson_utils
from lesson_utils import softmax
from lesson_utils._outputs import TEXT_TWIN as TEXT_TWIN_MIME
from lesson_utils.exercises import EXERCISES, NOT_CHECKED, catalog, check, engine
from lesson_utils.i18n import translate

ROOT = Path(__file__).resolve().parents[1]
HINT = "\n  hint: "


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.delenv("LESSON_LANGUAGE", raising=False)
    monkeypatch.delenv("LESSON_FIGURE_TWINS", raising=False)


def wrong_answers():
    """(exercise, answer, the hint it must get or None): the catalog's mistakes, the learners'."""
    return [(e, m, h) for e, spec in EXERCISES.items() for m, h in spec.mistakes] + [
        (e, a, h) for e, (wrong, _right) in ANSWERS.items() for a, h in wrong]


VERDICTS = {}  # one check per answer (the answers live as long as the module)


def verdict(exercise, answer):
    key = (exercise, id(answer))
    if key not in VERDICTS:
        VERDICTS[key] = check(exercise, answer)
    return VERDICTS[key]


def exercise_labels():
    return [label for chapter in sorted((ROOT / "chapters").glob("*.md"))
            for label in re.findall(r"^:label: (ex-\S+)$", chapter.read_text(), flags=re.M)]


def test_every_exercise_has_a_check_or_a_reason_and_enough_learner_answers():
    labels = exercise_labels()
    assert len(labels) == 31
    assert set(EXERCISES) | set(NOT_CHECKED) == set(labels)
    assert not set(EXERCISES) & set(NOT_CHECKED)
    assert catalog.BOOK_ORDER == tuple(labels)  # the checker's "Exercise N" is the page's N
    assert set(ANSWERS) == set(EXERCISES)
    for exercise, spec in EXERCISES.items():
        wrong, right = ANSWERS[exercise]
        assert len(spec.mistakes) + len(wrong) >= 4 and len(right) >= 2, exercise


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_passes_its_own_check(exercise):
    result = check(exercise, EXERCISES[exercise].reference)
    assert result.passed and result.attempted and result.counterexample is None, result
    assert repr(result) == result.message and result.message.startswith(
        f"✓ Exercise {catalog.BOOK_ORDER.index(exercise) + 1}: correct")


@pytest.mark.parametrize(("exercise", "answer"),
                         [(e, a) for e, (_wrong, right) in ANSWERS.items() for a in right])
def test_a_right_answer_written_differently_passes(exercise, answer):
    result = verdict(exercise, answer)
    assert result.passed, result


@pytest.mark.parametrize(("exercise", "answer", "hint"), wrong_answers())
def test_a_wrong_answer_is_rejected_with_the_input_that_shows_it_and_only_its_hint(
        exercise, answer, hint):
    spec, result = EXERCISES[exercise], verdict(exercise, answer)
    assert not result.passed and result.attempted and result.counterexample, result
    assert result.message.startswith(f"✗ Exercise {catalog.BOOK_ORDER.index(exercise) + 1}: "), \
        result
    if spec.inputs is not None:
        names = spec.names()[:len(result.counterexample)]
        assert all(f"\n    {name} = " in result.message for name in names), result
    shown = result.message.partition(HINT)[2]
    assert hint in shown if hint else not shown, result


def test_every_hint_of_the_catalog_fires_only_for_its_own_mistakes():
    """A catalog hint shown for a wrong answer is that answer's own: no other wrong answer of
    the collection (the catalog's and the learners') gets it."""
    for exercise, spec in EXERCISES.items():
        own = {h for _m, h in spec.mistakes if h}
        for _exercise, answer, hint in [w for w in wrong_answers() if w[0] == exercise]:
            shown = verdict(exercise, answer).message.partition(HINT)[2]
            for other in own - {hint}:
                assert other not in shown or (hint and hint in other), (exercise, shown)


@pytest.mark.parametrize("exercise", [e for e, s in EXERCISES.items() if s.inputs is not None
                                      and not e.startswith(("ex-cvr-margin", "ex-losses-float64",
                                                            "ex-dataset-last-batch"))])
def test_a_tensor_exercise_has_a_wrong_answer_that_changes_or_shares_its_input(exercise):
    messages = [verdict(exercise, a).message for a, _h in ANSWERS[exercise][0]]
    assert any("in place" in m or "shares memory" in m for m in messages), exercise


def temperature_in_place(o, T):
    o /= T
    return softmax(o)


def test_an_answer_that_changes_its_argument_is_wrong_and_the_message_names_it():
    result = check("ex-net-temperature", temperature_in_place)
    assert not result.passed
    assert "your answer changed its argument o in place: it was " in result.message
    assert "o /= T" in result.message and "expected" not in result.message


def test_a_result_that_shares_memory_with_an_argument_is_wrong():
    assert "shares memory with its argument o" in check("ex-cvr-ties", lambda o: o).message
    layer = ANSWERS["ex-concise-same-start"][0][0][0]  # nn.Parameter(W.T)
    assert "shares memory with its argument W" in check("ex-concise-same-start", layer).message


def test_numbers_pass_as_float32_numpy_lists_and_tensors_and_huge_ones_are_just_wrong():
    for answer in (torch.tensor(0.1), np.float32(0.1), 0.1, [0.1][0]):
        assert check("ex-scratch-lr", answer).passed
    assert check("ex-batch-memory", [10240, 40]).passed
    assert check("ex-batch-memory", np.array([10240, 40])).passed
    assert not check("ex-batch-memory", (10240,)).passed
    result = check("ex-net-bias-count", 10**400)
    assert not result.passed and "(401 characters)" in result.message
    assert not check("ex-scratch-lr", []).passed and not check("ex-scratch-lr", "0.1").passed


def test_an_empty_result_compares_as_empty():
    probs, y = torch.tensor([[0.9, 0.1]]), torch.tensor([0])
    reference = catalog.confident(probs, y, 2)
    assert reference.numel() == 0 and engine.close([], reference)
    assert not engine.close([0], reference)


def sleeps(o, T):
    time.sleep(60)


def loops(o, T):
    while True:
        pass


def swallows(o, T):
    try:
        time.sleep(60)
    except Exception:  # an answer's own except does not catch the deadline
        return softmax(o / T)


@pytest.mark.parametrize("answer", [sleeps, loops, swallows])
def test_an_answer_that_takes_too_long_is_stopped_with_a_verdict(answer):
    start = time.monotonic()
    result = check("ex-net-temperature", answer)
    assert time.monotonic() - start < engine.DEADLINE + 5
    assert not result.passed and "took longer than 2.0 s on this input" in result.message
    assert "\n    o = " in result.message


def exits(o, T):
    sys.exit(3)


def interrupts(o, T):
    raise KeyboardInterrupt


def test_exit_and_errors_are_verdicts_and_keyboard_interrupt_still_interrupts():
    assert "raised SystemExit: 3" in check("ex-net-temperature", exits).message
    assert "raised ZeroDivisionError" in check("ex-cvr-margin", lambda p, q: 1 / 0).message
    with pytest.raises(KeyboardInterrupt):
        check("ex-net-temperature", interrupts)


def coin(o, T):  # right or wrong at random
    return softmax(o / T, dim=0 if torch.rand(()) < 0.5 else -1)


def test_randomness_is_seeded_per_call_and_the_callers_generators_are_left_alone():
    torch.manual_seed(7), random.seed(7), np.random.seed(7)  # noqa: NPY002 (the global one)
    expected = torch.rand(3), random.random(), np.random.rand()  # noqa: NPY002
    torch.manual_seed(7), random.seed(7), np.random.seed(7)  # noqa: NPY002
    assert check("ex-cvr-ties", lambda o: o + torch.rand(1)).passed  # a random constant is fine
    assert check("ex-net-temperature", lambda o, T: softmax(o / T) + random.random()
                 + np.random.rand()).counterexample  # noqa: NPY002
    assert torch.equal(torch.rand(3), expected[0]) and random.random() == expected[1]
    assert np.random.rand() == expected[2]  # noqa: NPY002
    verdicts = set()
    for seed in range(4):  # whatever state the notebook's generator is in: the same verdict
        torch.manual_seed(seed)
        verdicts.add(check("ex-net-temperature", coin).message)
    assert len(verdicts) == 1 and "smallest" in verdicts.pop()


def test_an_answer_that_keeps_state_between_calls_gets_a_verdict():
    calls = []

    def stateful(o, T):
        calls.append(1)
        return softmax(o / T) * (1 + (len(calls) % 5 == 0))

    result = check("ex-net-temperature", stateful)
    assert not result.passed and "different results for the same input" in result.message


def chatty(o, T):
    for i in range(50):
        print("step", i)
    return softmax((o - o.amax(-1, keepdim=True)) / T)


def test_prints_are_cut_to_a_few_lines():
    result = check("ex-net-temperature", chatty)
    assert result.passed and "printed (" in result.message
    assert result.message.count("\n    | step") == engine.PRINTED


def test_wrong_arity_is_said_before_any_call():
    result = check("ex-net-temperature", lambda o: softmax(o))
    assert not result.passed and "should take the arguments (o, T)" in result.message


def stub_function(O, y):
    ...


def stub_raises(O, y):
    raise NotImplementedError


def stub_pass(O, y):
    """A docstring and pass."""
    pass


@pytest.mark.parametrize("answer", [..., None, stub_function, stub_raises, stub_pass,
                                    lambda O, y: ...])
def test_only_the_untouched_stub_is_not_attempted_yet(answer):
    result = check("ex-scratch-log-zero", answer)
    assert not result.passed and not result.attempted and result.counterexample is None
    assert result.message == "… Exercise 24: not attempted yet. Write your answer in " \
                             "place of ... and run the cell again."
    assert not check("ex-batch-memory", (..., ...)).attempted
    assert not check("ex-entropy-dice", (1.0, ..., ...)).attempted


def test_an_answer_that_returns_none_on_some_inputs_is_told_so():
    result = check("ex-net-temperature", lambda o, T: softmax(o / T) if T >= 1 else None)
    assert result.attempted and "returned None on this input" in result.message


def test_the_counterexample_is_small_and_plain():
    result = check("ex-net-temperature", lambda o, T: naive_softmax(o / T))
    o, T = result.counterexample
    assert o.numel() == 1 and not torch.isfinite(naive_softmax(o / T)).all()
    result = check("ex-net-temperature", lambda o, T: softmax(o / T, dim=0))
    assert result.counterexample[0].shape == (1, 2)  # one row, the fewest classes that show it
    result = check("ex-entropy-not-a-distance", lambda p, q: catalog.kl_divergence(p, q) * 1.01)
    got, want = (re.search(rf"{k}: +(\S+)", result.message).group(1) for k in ("got", "expected"))
    assert abs(float(got.strip("[],")) - float(want.strip("[],"))) > 1e-3, result


def test_the_view_and_ok_say_what_got_is():
    message = check("ex-concise-same-start", ANSWERS["ex-concise-same-start"][0][3][0]).message
    assert "should return an nn.Linear" in message
    message = check("ex-concise-same-start", lambda W, b: catalog.to_linear(W, 0 * b)).message
    assert "got (your layer applied to X): " in message and "copy b into .bias" in message
    quadratic = ANSWERS["ex-net-three-gaussians"][0][1][0]
    assert "not affine in x" in check("ex-net-three-gaussians", quadratic).message


def test_an_unknown_exercise_is_an_error_that_names_it_and_the_known_ones():
    with pytest.raises(ValueError, match=r"'ex-nope'.*ex-batch-einsum, .*ex-eval-top2"):
        check("ex-nope", 1)


def test_importing_the_package_does_not_load_the_checker():
    code = ("import sys, lesson_utils; assert 'hypothesis' not in sys.modules; "
            "from lesson_utils import check; assert 'hypothesis' in sys.modules; "
            "assert check is lesson_utils.exercises.check and 'check' in lesson_utils.__all__")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lesson_utils.nope  # noqa: B018


def test_the_messages_in_chinese(monkeypatch):
    monkeypatch.setenv("LESSON_LANGUAGE", "zh_CN")
    assert check("ex-batch-einsum", lambda X, W, b: X @ W + b).message == \
        "✓ 练习 7：正确，通过了边界情况和自动生成的输入。"
    message = check("ex-net-temperature", lambda o, T: softmax(o / T, dim=0)).message
    assert message.startswith("✗ 练习 4：在下面这个输入上出错") and "形状" in message
    assert "提示：" in message and "维度" in message and "hint" not in message
    assert "原地修改了参数 o" in check("ex-net-temperature", temperature_in_place).message
    assert "尚未作答" in check("ex-scratch-log-zero", stub_function).message
    assert "0.05" in check("ex-entropy-initial-loss", 3.32).message


def catalog_messages():
    """Every message the checker shows: the literals it passes to _(), the problems, hints."""
    found = set()
    for module in (engine, catalog):
        tree = ast.parse(inspect.getsource(module))
        found |= {node.args[0].value for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_"
                  and isinstance(node.args[0], ast.Constant)}
        found |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                  and isinstance(node.value, str)
                  and node.value.startswith(("✓ ", "✗ ", "… ", "your ", "Wrong sign", "inf or"))}
    return found | {h for spec in EXERCISES.values() for _m, h in spec.mistakes if h} | {
        spec.shown for spec in EXERCISES.values() if spec.shown}


def test_every_message_is_in_the_catalog():
    messages = catalog_messages()
    assert len(messages) > 80
    assert not sorted(m for m in messages if translate(m, "zh_CN") in (None, m))


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
    stub, spec = cells[0], EXERCISES[exercise]
    assert f'assert check("{exercise}", ' in solution
    if spec.inputs is None:  # a number: the stub is ... (or a tuple of them)
        assert re.match(r"[\w, ]+ = \.\.\.(, \.\.\.)*\n", stub), stub
        answer = ... if stub.count("...") == 1 else (..., ...)
    else:  # a function whose body is ..., with the reference's arguments
        name, arguments = re.match(r"def (\w+)\((.*)\):\n    \.\.\.\n", stub).groups()
        assert arguments.split(", ") == spec.names()[:spec.arity], stub
        namespace = {}
        exec(stub.split("\n\n\ncheck(")[0], namespace)  # noqa: S102 (the stub as the learner gets it)
        answer = namespace[name]
        assert f"def {name}(" in solution  # the solution fills in the same function
    result = check(exercise, answer)
    assert not result.attempted and "not attempted yet" in result.message


def test_the_book_build_gets_the_chinese_message_beside_the_english(monkeypatch):
    answer = EXERCISES["ex-batch-einsum"].reference
    assert check("ex-batch-einsum", answer)._repr_mimebundle_() == {
        "text/plain": "✓ Exercise 7: correct, on the edge cases and on generated inputs."}
    monkeypatch.setenv("LESSON_FIGURE_TWINS", "zh_CN")
    bundle = check("ex-batch-einsum", lambda X, W, b: X @ W)._repr_mimebundle_()
    english, chinese = bundle["text/plain"], bundle[TEXT_TWIN_MIME]
    assert english.startswith("✗ Exercise 7: wrong on this input")
    assert "hint: The bias" in english and "hint" not in chinese
    assert chinese.startswith("✗ 练习 7：") and "提示：" in chinese
    shown = [line.split(" (")[0] for line in english.split("\n")[1:3]]  # X = ..., W = ...
    assert all(line.startswith(value) for line, value in
               zip(chinese.split("\n")[1:3], shown, strict=True))
    monkeypatch.setenv("LESSON_LANGUAGE", "zh_CN")  # a Chinese reader's kernel: no twin needed
    assert set(check("ex-batch-einsum", answer)._repr_mimebundle_()) == {"text/plain"}


def test_the_status_page_lists_every_exercise_and_whether_it_is_checked():
    status = (ROOT / "book" / "status.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| \{ref\}`(ex-[\w-]+)` \| (.*?) \| (.*?) \|$", status,
                      flags=re.M)
    assert [label for _, label, _, _ in rows] == exercise_labels()
    chapters = {label: int(chapter.name[:2]) for chapter in (ROOT / "chapters").glob("*.md")
                for label in re.findall(r"^:label: (ex-\S+)$", chapter.read_text(), flags=re.M)}
    for chapter, label, checked, caught in rows:
        assert int(chapter) == chapters[label]
        if label in EXERCISES:
            assert checked == "yes" and caught == f"{{glue:text}}`caught_{label.replace('-', '_')}`"
        else:
            assert checked == f"no: {NOT_CHECKED[label]}" and caught == "–"
