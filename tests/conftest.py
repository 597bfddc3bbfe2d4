"""Shared fixtures and builders: a tiny fake Fashion-MNIST (as files and as
batches) and the pages of ``_toc.yml``. The tests are hermetic through
pytest-socket (pyproject.toml's addopts; tests/test_hermetic.py checks it).

Test modules import the builders with ``from tests.conftest import ...``.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
import yaml

from lesson_utils import FashionMNISTBatches

matplotlib.use("Agg")  # tests draw figures without a screen


# --------------------------------------------------------------- tiny Fashion-MNIST

def _idx_bytes(array: np.ndarray) -> bytes:
    magic = 2048 + array.ndim
    header = np.array([magic, *array.shape], dtype=">i4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_fake_fashion_mnist(directory: Path, n_train: int = 20, n_test: int = 7,
                             gz: bool = True, seed: int = 0) -> dict[str, str]:
    """Write four tiny IDX files into directory; return their (decompressed) MD5 sums."""
    rng = np.random.default_rng(seed)
    contents = {
        "train-images-idx3-ubyte": _idx_bytes(rng.integers(0, 256, (n_train, 28, 28))),
        "train-labels-idx1-ubyte": _idx_bytes(np.arange(n_train) % 10),
        "t10k-images-idx3-ubyte": _idx_bytes(rng.integers(0, 256, (n_test, 28, 28))),
        "t10k-labels-idx1-ubyte": _idx_bytes(np.arange(n_test) % 10),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, payload in contents.items():
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(payload, mtime=0))
        else:
            (directory / name).write_bytes(payload)
    return {name: hashlib.md5(payload).hexdigest() for name, payload in contents.items()}


@pytest.fixture
def fake_data(tmp_path, monkeypatch):
    """A tiny Fashion-MNIST in tmp_path/source, a fresh cache, no other source.

    Returns the source directory. The package's checksum table is patched to
    the fake files' sums, the system directory points nowhere, and any
    download attempt fails loudly.
    """
    from lesson_utils import data

    source = tmp_path / "source"
    sums = write_fake_fashion_mnist(source)
    monkeypatch.setattr(data, "_MD5", sums)
    monkeypatch.setattr(data, "_SYSTEM_DIR", tmp_path / "no-system-dir")
    monkeypatch.setenv("LESSON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)

    def no_download(cache):
        raise AssertionError("download attempted in a unit test")

    monkeypatch.setattr(data, "_download", no_download)
    return source


def synthetic_batches(n: int = 240, batch_size: int = 32, shuffle: bool = True,
                      seed: int = 0, device: torch.device | str = "cpu") -> FashionMNISTBatches:
    """A learnable 28x28, 10-class problem served by the package's own batcher
    (so shuffling uses the global generator exactly as with Fashion-MNIST):
    class k is noise with row 2k + 4 lit."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    images = torch.randint(0, 80, (n, 28, 28), generator=g, dtype=torch.uint8)
    for k in range(10):
        images[labels == k, 2 * k + 4, :] = 255
    return FashionMNISTBatches(images, labels, batch_size, shuffle=shuffle, device=device)


# --------------------------------------------------------------- the book's pages

ROOT = Path(__file__).resolve().parents[1]


# The front matter that makes a MyST Markdown page a notebook (test fixtures).
NOTEBOOK_FRONT_MATTER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def toc_files() -> list[str]:
    """Every page _toc.yml names (``chapters/07_dataset``, ...), root first, in order."""
    def walk(entries: list) -> list[str]:
        files = []
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                files += walk(entry.get(key, []))
        return files

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"], *walk(toc.get("parts", [])), *walk(toc.get("chapters", []))]
