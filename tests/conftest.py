"""Shared fixtures: hermetic tests (no network) and a tiny fake Fashion-MNIST."""

from __future__ import annotations

import gzip
import hashlib
import socket
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # tests draw figures without a screen

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class NetworkBlocked(RuntimeError):
    """Raised when a unit test tries to reach a host other than loopback."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Refuse every socket connection except to loopback: a test that secretly
    downloads fails instead of passing on a machine with internet."""
    real_connect = socket.socket.connect

    def guarded_connect(self, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or host in _LOOPBACK:
            return real_connect(self, address, *args, **kwargs)
        raise NetworkBlocked(f"unit tests may not use the network (tried {address!r})")

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in _LOOPBACK and host is not None:
            raise NetworkBlocked(f"unit tests may not resolve hosts (tried {host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", _refuse_create_connection(socket.create_connection))


def _refuse_create_connection(real):
    def guarded(address, *args, **kwargs):
        if address[0] not in _LOOPBACK:
            raise NetworkBlocked(f"unit tests may not use the network (tried {address!r})")
        return real(address, *args, **kwargs)

    return guarded


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
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "no-system-dir")
    monkeypatch.setenv("LESSON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)

    def no_download(cache):
        raise NetworkBlocked("download attempted in a unit test")

    monkeypatch.setattr(data, "_download", no_download)
    data._load_tensors.cache_clear()
    return source
