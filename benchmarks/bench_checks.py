"""Benchmark: how long ``lesson_utils.check`` takes, for every checked exercise, on right
answers (the reference and the right answers of tests/learner_answers.py: every edge case and
every generated input is tried) and on wrong ones (the catalog's typical mistakes and the
learners' wrong answers: hypothesis stops at the first failure, then shrinks it to a plain one).

    .venv/bin/python benchmarks/bench_checks.py            # 3 repeats
    .venv/bin/python benchmarks/bench_checks.py --repeats 5

Prints, per exercise, the median time of its right answers and the slowest median of its wrong
ones, then the median and the slowest over all right answers (the issue's goal: median at most
100 ms, slowest at most 2 s on a 2-core CPU). Not part of the tests: timings are never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.learner_answers

from tests.learner_answers import ANSWERS  # noqa: E402

from lesson_utils.exercises import EXERCISES, check  # noqa: E402


def median_seconds(exercise, answer, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        check(exercise, answer)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    right_all, wrong_all = [], []
    for exercise, spec in EXERCISES.items():
        wrong, right = ANSWERS[exercise]
        right_times = [median_seconds(exercise, a, repeats) for a in (spec.reference, *right)]
        wrong_times = [median_seconds(exercise, a, repeats)
                       for a in (*(m for m, _h in spec.mistakes), *(a for a, _h in wrong))]
        right_all += right_times
        wrong_all += wrong_times
        print(f"{exercise:28} right: median {statistics.median(right_times) * 1000:5.0f} ms"
              f"   wrong: slowest {max(wrong_times) * 1000:5.0f} ms")
    print(f"\nright answers ({len(right_all)}): "
          f"median {statistics.median(right_all) * 1000:.0f} ms,"
          f" slowest {max(right_all) * 1000:.0f} ms")
    print(f"wrong answers ({len(wrong_all)}): median {statistics.median(wrong_all) * 1000:.0f} ms,"
          f" slowest {max(wrong_all) * 1000:.0f} ms (median of {repeats} runs each)")


if __name__ == "__main__":
    main()
