"""Feedback on the exercises: ``check(exercise_id, answer)`` says whether an answer is right.

Not taught code: the engine (:mod:`.engine`) runs an answer against the exercise's reference
in :mod:`.catalog`. ``import lesson_utils`` loads this subpackage (and hypothesis) only when
``check`` is first used.

>>> import torch
>>> check("ex-batch-einsum", lambda X, W, b: torch.einsum("nd,dq->nq", X, W) + b)
✓ Exercise 7: correct, on the edge cases and on generated inputs.
>>> check("ex-batch-einsum", lambda X, W, b: ...)
… Exercise 7: not attempted yet. Write your answer in place of ... and run the cell again.
>>> check("ex-net-bias-count", 7840).passed
False
"""

from .catalog import BOOK_ORDER, EXERCISES, NOT_CHECKED
from .engine import Result, Spec, check_with

__all__ = ["EXERCISES", "NOT_CHECKED", "Result", "Spec", "check"]

NUMBERS = {exercise: n for n, exercise in enumerate(BOOK_ORDER, start=1)}  # as the pages number


def check(exercise_id: str, answer) -> Result:
    """Check a learner's ``answer`` to the exercise labelled ``exercise_id``: a function that
    takes the stub's arguments, or a number. Never raises for a wrong, missing or misbehaving
    answer (only KeyboardInterrupt passes); raises ValueError for an exercise without a check."""
    return check_with(EXERCISES, exercise_id, answer, number=NUMBERS.get(exercise_id))
