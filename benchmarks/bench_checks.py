"""Benchmark: how long ``lesson_utils.check`` takes, for every checked exercise, on its
reference (a correct answer: every generated input is tried) and on the typical wrong
answers of tests/wrong_answers.py (hypothesis stops at the first failure, then shrinks it).

    .venv/bin/python benchmarks/bench_checks.py            # 5 repeats
    .venv/bin/python benchmarks/bench_checks.py --repeats 9

Prints, per exercise, the median time of the correct answer and the slowest wrong answer's
median, then the slowest of all. Not part of the tests: timings are never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.wrong_answers

from tests.wrong_answers import WRONG  # noqa: E402

from lesson_utils.checks import EXERCISES, check  # noqa: E402


def median_seconds(exercise, answer, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        check(exercise, answer)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    rows = []
    for exercise, spec in EXERCISES.items():
        correct = median_seconds(exercise, spec.reference, repeats)
        wrong = max(median_seconds(exercise, answer, repeats) for answer, _ in WRONG[exercise])
        rows.append((exercise, correct, wrong))
        print(f"{exercise:28} correct {correct * 1000:6.0f} ms"
              f"   slowest wrong {wrong * 1000:6.0f} ms")
    slowest = max(rows, key=lambda row: max(row[1:]))
    print(f"\nslowest check: {slowest[0]}, {max(slowest[1:]) * 1000:.0f} ms (median of {repeats})")


if __name__ == "__main__":
    main()
