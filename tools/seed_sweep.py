"""Run chapters with other seeds, to show that their assertions do not depend on
the seed the book happens to use.

Each chapter that trains sets ``SEED = <int>`` on a line of its own. For every
seed asked for, this script executes the chapter's ``.md`` source from a clean
kernel with that line changed, and reports whether every cell ran (an ``assert``
that fails is a cell that raises). It is slow (a chapter of training per seed)
and is run by hand, never by CI::

    .venv/bin/python tools/seed_sweep.py chapters/08_softmax_scratch.md --seeds 0-9
    .venv/bin/python tools/seed_sweep.py chapters/0[89]*.md chapters/10*.md
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
SEED_LINE = re.compile(r"^SEED = \d+\b", re.MULTILINE)


def seeds(spec: str) -> list[int]:
    """'0-9' or '0,3,5' -> a list of seeds."""
    out = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out += range(int(low), int(high or low) + 1)
    return out


def run(path: Path, seed: int, timeout: int) -> str | None:
    """Execute the chapter with ``SEED = seed``; None if every cell ran, else the error."""
    notebook = jupytext.read(path)
    cells = [c for c in notebook.cells if c.cell_type == "code" and SEED_LINE.search(c.source)]
    if len(cells) != 1:
        raise SystemExit(f"{path}: expected one cell with a line 'SEED = <int>', found {len(cells)}")
    cells[0].source = SEED_LINE.sub(f"SEED = {seed}", cells[0].source)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        lines = [ANSI.sub("", line).strip() for line in str(error).splitlines()]
        failing = [line for line in lines if line.startswith("---->")]  # the line that raised
        last = next((line for line in reversed(lines) if line), "error")
        return " | ".join(failing[-1:] + [last])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+", type=Path, help="chapter .md files")
    parser.add_argument("--seeds", type=seeds, default=seeds("0-9"), help="e.g. 0-9 or 0,4,7")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    failures = 0
    for path in args.chapters:
        for seed in args.seeds:
            start = time.perf_counter()
            error = run(path, seed, args.timeout)
            failures += error is not None
            status = "ok" if error is None else f"FAILED: {error}"
            print(f"{path.stem} seed {seed}: {status} ({time.perf_counter() - start:.0f} s)",
                  flush=True)
    print(f"{failures} of {len(args.chapters) * len(args.seeds)} runs failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
