"""Run chapters with other seeds, to show that their assertions do not depend on
the seed the book happens to use.

Each chapter that trains sets ``SEED = <int>`` on a line of its own. For every
seed asked for, this script executes the chapter's ``.md`` source from a clean
kernel with that line changed, and reports whether every cell ran (an ``assert``
that fails is a cell that raises) and the final test accuracy the chapter glued,
with the lowest over the seeds. It is slow (a chapter of training per seed), so
the pull-request tests do not run it; ``make seed-sweep`` runs it over every
chapter with an accuracy bound, and the workflow ``.github/workflows/seed-sweep.yml``
runs that every week::

    make seed-sweep                                   # chapters 8-10, seeds 0-9
    .venv/bin/python tools/seed_sweep.py chapters/08_softmax_scratch.md --seeds 0-9
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# The glued final test accuracy of each chapter with an accuracy bound.
ACCURACY_KEY = {"08_softmax_scratch": "scratch_test_acc", "09_softmax_concise": "concise_test_acc",
                "10_evaluating": "test_acc"}
SEED_LINE = re.compile(r"^SEED = \d+\b", re.MULTILINE)


def seeds(spec: str) -> list[int]:
    """'0-9' or '0,3,5' -> a list of seeds."""
    out = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out += range(int(low), int(high or low) + 1)
    return out


def glued(notebook, key: str) -> str | None:
    """The text myst-nb's glue stored under ``key`` in an executed notebook, if any."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                return output["data"].get("application/papermill.record/text/plain")
    return None


def run(path: Path, seed: int, timeout: int) -> tuple[str | None, str | None]:
    """Execute the chapter with ``SEED = seed``: (None if every cell ran, else the
    error; the glued final test accuracy, if the chapter has one)."""
    notebook = jupytext.read(path)
    cells = [c for c in notebook.cells if c.cell_type == "code" and SEED_LINE.search(c.source)]
    if len(cells) != 1:
        raise SystemExit(
            f"{path}: expected one cell with a line 'SEED = <int>', found {len(cells)}")
    cells[0].source = SEED_LINE.sub(f"SEED = {seed}", cells[0].source)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        lines = [ANSI.sub("", line).strip() for line in str(error).splitlines()]
        failing = [line for line in lines if line.startswith("---->")]  # the line that raised
        last = next((line for line in reversed(lines) if line), "error")
        return " | ".join(failing[-1:] + [last]), None
    key = ACCURACY_KEY.get(path.stem)
    return None, glued(notebook, key) if key else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+", type=Path, help="chapter .md files")
    parser.add_argument("--seeds", type=seeds, default=seeds("0-9"), help="e.g. 0-9 or 0,4,7")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    failures = 0
    for path in args.chapters:
        accuracies = {}
        for seed in args.seeds:
            start = time.perf_counter()
            error, accuracy = run(path, seed, args.timeout)
            failures += error is not None
            status = "ok" if error is None else f"FAILED: {error}"
            if accuracy is not None:
                accuracies[seed] = float(accuracy)
                status += f", test accuracy {float(accuracy):.4f}"
            print(f"{path.stem} seed {seed}: {status} ({time.perf_counter() - start:.0f} s)",
                  flush=True)
        if accuracies:
            lowest = min(accuracies, key=accuracies.get)
            print(f"{path.stem}: lowest test accuracy {accuracies[lowest]:.4f} (seed {lowest})",
                  flush=True)
    print(f"{failures} of {len(args.chapters) * len(args.seeds)} runs failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
