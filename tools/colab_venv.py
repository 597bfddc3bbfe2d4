"""The simulated Colab's Python environment (tests/colab): only what Colab gives a notebook.

    python tools/colab_venv.py        # create or update _build/colab-venv (COLAB_VENV)

torch, torchvision, numpy, matplotlib, altair (Colab has it) and ipykernel, plus pytest and
nbval to run the notebooks, all at requirements.txt's versions; no lesson_utils, no myst-nb.
Rebuilt only when those pins change (a stamp file records them). Needs no .venv: `make test`
runs it with the system's Python, beside .venv's installation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("COLAB_VENV", ROOT / "_build" / "colab-venv"))
PACKAGES = ("torch", "torchvision", "numpy", "matplotlib", "altair", "ipykernel", "pytest",
            "nbval")


def pins() -> list[str]:
    """torch, torchvision, ..., pytest and nbval at requirements.txt's versions."""
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip() in PACKAGES:
            found[name.strip()] = f"{name.strip()}=={version.strip()}"
    if set(found) != set(PACKAGES):
        sys.exit(f"requirements.txt pins {sorted(found)}, the Colab simulation needs {PACKAGES}")
    return list(found.values())


def ensure() -> Path:
    """The environment's python, created (or re-created for new pins) if need be."""
    python, stamp = VENV / "bin" / "python", VENV / ".colab-packages"
    wanted = " ".join(pins())
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *wanted.split()], check=True)
        stamp.write_text(wanted)
    return python


if __name__ == "__main__":
    print(f"The simulated Colab's Python: {ensure()}")
