"""Fashion-MNIST: find it, check it, stage it, and serve minibatches from memory.

Chapter ``07_dataset`` introduces everything here. The data set is found, in
order, in

1. an explicit ``root`` argument,
2. the directory named by the environment variable ``FASHION_MNIST_DIR``,
3. the Debian/Ubuntu package ``dataset-fashion-mnist``
   (``/usr/share/datasets/fashion-mnist``),
4. the cache directory (``LESSON_CACHE_DIR``, default
   ``~/.cache/lesson_utils``), downloading it there with torchvision if needed.

A directory qualifies when it holds the four IDX files, gzipped or not, either
directly or in torchvision's ``FashionMNIST/raw`` layout. The files are staged
(decompressed) into ``<cache>/FashionMNIST/raw``, writing to a temporary name and
renaming, so that an interruption leaves no half file; that directory is also a
valid layout for ``torchvision.datasets.FashionMNIST(root=<cache>)``. The MD5 sum of each
decompressed file is checked before use (the sums of the *decompressed* files
are checked because packagers recompress the ``.gz`` files).

The whole data set is held in memory as uint8 tensors (55 MB); an epoch is a
matter of slicing a shuffled index, not of one Python call per image.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .runtime import default_device

__all__ = [
    "FASHION_MNIST_CLASSES",
    "fashion_mnist_labels",
    "fashion_mnist_root",
    "load_fashion_mnist",
]

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)

SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
_ENV_DIR = "FASHION_MNIST_DIR"
_ENV_CACHE = "LESSON_CACHE_DIR"

# MD5 of the decompressed IDX files, as published with the data set.
_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}
_FILES = tuple(_MD5)
_IMAGE_MAGIC, _LABEL_MAGIC = 2051, 2049


def fashion_mnist_labels(indices: Iterable[int] | torch.Tensor) -> list[str]:
    """Return the class names of Fashion-MNIST label indices.

    Parameters
    ----------
    indices : iterable of int or int64 tensor of shape (n,)
        Class indices in ``0..9``.

    Returns
    -------
    list of str, length n

    Examples
    --------
    >>> fashion_mnist_labels([0, 9])
    ['t-shirt', 'ankle boot']
    >>> fashion_mnist_labels(torch.tensor([1, 8]))
    ['trouser', 'bag']
    """
    if isinstance(indices, torch.Tensor):
        if indices.is_floating_point() or indices.is_complex() or indices.dtype == torch.bool:
            raise TypeError(f"indices must hold integers, got a tensor of dtype {indices.dtype}")
        values = indices.reshape(-1).tolist()
    elif isinstance(indices, (str, bytes)) or not isinstance(indices, Iterable):
        raise TypeError(f"indices must be an iterable of ints, got {type(indices).__name__}")
    else:
        values = list(indices)
    names = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"indices must hold integers, got {value!r}")
        if not 0 <= value < len(FASHION_MNIST_CLASSES):
            raise ValueError(f"indices must lie in 0..9, got {value}")
        names.append(FASHION_MNIST_CLASSES[value])
    return names


# --------------------------------------------------------------------------- locating

def _cache_dir() -> Path:
    return Path(os.environ.get(_ENV_CACHE) or Path.home() / ".cache" / "lesson_utils")


def _staged_dir() -> Path:
    return _cache_dir() / "FashionMNIST" / "raw"


def _find_files(directory: Path) -> dict[str, Path] | None:
    """Map each IDX name to a file (raw preferred, else .gz) in directory, or None."""
    for folder in (directory, directory / "FashionMNIST" / "raw"):
        found = {}
        for name in _FILES:
            for candidate in (folder / name, folder / f"{name}.gz"):
                if candidate.is_file():
                    found[name] = candidate
                    break
        if len(found) == len(_FILES):
            return found
    return None


def _not_found_message(reason: str) -> str:
    return (
        f"Fashion-MNIST not found: {reason}.\n"
        "It is looked for, in order, in:\n"
        "  1. the root= argument of load_fashion_mnist / fashion_mnist_root;\n"
        f"  2. the directory in the environment variable {_ENV_DIR};\n"
        f"  3. {SYSTEM_DIR} (Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist);\n"
        f"  4. the cache {_cache_dir()} (set {_ENV_CACHE} to move it), downloaded there "
        "by torchvision when the internet is reachable.\n"
        "Each needs the four files " + ", ".join(f"{n}[.gz]" for n in _FILES) + "."
    )


def _explicit_source(root: str | os.PathLike | None) -> dict[str, Path] | None:
    """Files from root or FASHION_MNIST_DIR; these must hold the data when given."""
    if root is not None:
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"root must be a path or None, got {type(root).__name__}")
        files = _find_files(Path(root))
        if files is None:
            raise FileNotFoundError(_not_found_message(f"root={str(root)!r} lacks the four IDX files"))
        return files
    env = os.environ.get(_ENV_DIR)
    if env:
        files = _find_files(Path(env))
        if files is None:
            raise FileNotFoundError(_not_found_message(f"{_ENV_DIR}={env!r} lacks the four IDX files"))
        return files
    return None


def _download(cache: Path) -> None:
    """Download with torchvision into cache/FashionMNIST/raw (the staged layout)."""
    import torchvision  # imported lazily: only this path needs it

    for train in (True, False):
        torchvision.datasets.FashionMNIST(root=str(cache), train=train, download=True)


# --------------------------------------------------------------------------- staging

def _ensure_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise OSError(
            f"cache directory {directory} is not writable ({exc.strerror or exc}); "
            f"set {_ENV_CACHE} to a writable directory"
        ) from exc


def _corrupt_message(path: Path, detail: str) -> str:
    return (
        f"{path} is corrupt: {detail}. Delete it and run again to stage a fresh copy "
        f"(for {SYSTEM_DIR}: sudo apt-get install --reinstall dataset-fashion-mnist; "
        "for a download: delete the file so that it is fetched again)."
    )


def _stage(source: Path, target: Path) -> None:
    """Decompress/copy source to target via a temporary file, checking its MD5."""
    name = target.name
    digest = hashlib.md5()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".part")
    try:
        opener = gzip.open if source.suffix == ".gz" else open
        with os.fdopen(fd, "wb") as out, opener(source, "rb") as src:
            for chunk in iter(functools.partial(src.read, 1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != _MD5[name]:
            raise ValueError(_corrupt_message(
                source, f"MD5 of its content is {digest.hexdigest()}, expected {_MD5[name]}"))
        os.replace(tmp_name, target)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(_corrupt_message(source, f"it could not be read to the end ({exc})")) from exc
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def fashion_mnist_root(root: str | os.PathLike | None = None) -> Path:
    """Find Fashion-MNIST, stage it into the cache, and return torchvision's root.

    The four decompressed IDX files are staged in ``<returned>/FashionMNIST/raw``,
    torchvision's layout, so ``torchvision.datasets.FashionMNIST(root=returned)``
    reads them without downloading. See the module docstring for the search
    order.

    Parameters
    ----------
    root : path, optional
        A directory with the four IDX files (gzipped or not).

    Returns
    -------
    pathlib.Path
        The cache directory (``LESSON_CACHE_DIR``, default ``~/.cache/lesson_utils``).

    Raises
    ------
    FileNotFoundError
        When no source has the files and the download fails; the message names
        all four ways to provide them.
    ValueError
        When a file's MD5 does not match or it is truncated.
    OSError
        When the cache directory cannot be written.
    """
    staged = _staged_dir()
    source = _explicit_source(root)
    if all((staged / name).is_file() for name in _FILES):
        return _cache_dir()
    if source is None:
        source = _find_files(SYSTEM_DIR)
    _ensure_writable(staged)
    if source is None:
        try:
            _download(_cache_dir())
        except Exception as exc:  # no network, proxy, disk...: report every way
            raise FileNotFoundError(_not_found_message(f"the download failed ({exc})")) from exc
        return _cache_dir()
    for name, path in source.items():
        if not (staged / name).is_file():
            _stage(path, staged / name)
    return _cache_dir()


# --------------------------------------------------------------------------- reading

def _read_idx(path: Path, magic: int) -> np.ndarray:
    raw = np.fromfile(path, dtype=np.uint8)
    ndim = magic - 2048
    header = 4 + 4 * ndim
    if raw.size < header:
        raise ValueError(_corrupt_message(path, "it is shorter than an IDX header"))
    found_magic, *dims = np.frombuffer(raw[:header].tobytes(), dtype=">i4").tolist()
    if found_magic != magic:
        raise ValueError(_corrupt_message(path, f"magic number {found_magic}, expected {magic}"))
    if raw.size != header + math.prod(dims):
        raise ValueError(_corrupt_message(
            path, f"{raw.size - header} data bytes, the header announces {math.prod(dims)}"))
    return raw[header:].reshape(dims)


def _verify(path: Path) -> None:
    digest = hashlib.md5(path.read_bytes()).hexdigest()
    if digest != _MD5[path.name]:
        raise ValueError(_corrupt_message(path, f"MD5 {digest}, expected {_MD5[path.name]}"))


@functools.lru_cache(maxsize=4)
def _load_tensors(staged: Path, signature: tuple) -> dict[str, torch.Tensor]:
    """Read and check the staged files once per process (signature: sizes and mtimes)."""
    arrays = {}
    for name in _FILES:
        path = staged / name
        _verify(path)
        magic = _IMAGE_MAGIC if "images" in name else _LABEL_MAGIC
        arrays[name] = torch.from_numpy(_read_idx(path, magic).copy())
    if arrays["train-images-idx3-ubyte"].shape[0] != arrays["train-labels-idx1-ubyte"].shape[0]:
        raise ValueError(f"{staged}: training images and labels differ in number")
    if arrays["t10k-images-idx3-ubyte"].shape[0] != arrays["t10k-labels-idx1-ubyte"].shape[0]:
        raise ValueError(f"{staged}: test images and labels differ in number")
    return arrays


class FashionMNISTBatches:
    """An iterable of minibatches ``(X, y)`` drawn from tensors in memory.

    ``X`` is float32 of shape (batch, 1, H, W) with values in [0, 1]; ``y`` is
    int64 of shape (batch,). With ``shuffle=True`` every pass draws a new order
    from PyTorch's global generator (so ``seed_everything`` makes it repeatable).
    ``len()`` is the number of batches; the last one may be smaller.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int,
                 shuffle: bool, resize: tuple[int, int] | None, device: torch.device) -> None:
        self.images = images.to(device)  # uint8 (n, 28, 28): converted per batch
        self.labels = labels.to(device=device, dtype=torch.int64)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.resize = resize
        self.device = device

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    @property
    def num_examples(self) -> int:
        """Number of examples in one pass."""
        return len(self.labels)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.labels)
        order = torch.randperm(n).to(self.device) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                images = self.images[start:start + self.batch_size]
                labels = self.labels[start:start + self.batch_size]
            else:  # index_select is several times faster than fancy indexing here
                index = order[start:start + self.batch_size]
                images = torch.index_select(self.images, 0, index)
                labels = torch.index_select(self.labels, 0, index)
            X = images.div(255).unsqueeze(1)  # uint8 / int -> float32 in one pass
            if self.resize is not None:
                X = F.interpolate(X, size=self.resize, mode="bilinear",
                                  align_corners=False, antialias=True).clamp_(0, 1)
            yield X, labels

    def __repr__(self) -> str:
        return (f"FashionMNISTBatches(num_examples={self.num_examples}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, device={self.device})")


def _check_resize(resize: object) -> tuple[int, int] | None:
    if resize is None:
        return None
    sizes = (resize, resize) if isinstance(resize, (int, np.integer)) else resize
    if (not isinstance(sizes, (tuple, list)) or len(sizes) != 2
            or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in sizes)):
        raise TypeError(f"resize must be None, an int or a pair of ints, got {resize!r}")
    if min(sizes) <= 0:
        raise ValueError(f"resize must be positive, got {resize!r}")
    return int(sizes[0]), int(sizes[1])


def load_fashion_mnist(batch_size: int, resize: int | tuple[int, int] | None = None,
                       root: str | os.PathLike | None = None,
                       device: torch.device | str | None = None,
                       ) -> tuple[FashionMNISTBatches, FashionMNISTBatches]:
    """Load Fashion-MNIST into memory and return training and test iterators.

    Parameters
    ----------
    batch_size : int
        Examples per minibatch (> 0).
    resize : int or (int, int), optional
        Resize images to this size (bilinear, antialiased), as torchvision's
        ``Resize`` would.
    root : path, optional
        Where the IDX files are; see the module docstring for the search order.
    device : torch.device or str, optional
        Where batches are produced; default :func:`default_device`.

    Returns
    -------
    train_iter, test_iter : FashionMNISTBatches
        Iterables of ``(X, y)``: X float32 (batch_size, 1, 28, 28) in [0, 1]
        (or the resized shape), y int64 (batch_size,). The training iterator
        reshuffles every epoch; the test iterator keeps the file order.

    Examples
    --------
    >>> train_iter, test_iter = load_fashion_mnist(256, device="cpu")  # doctest: +SKIP
    >>> len(train_iter), len(test_iter)  # doctest: +SKIP
    (235, 40)
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}")
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    size = _check_resize(resize)
    device = default_device() if device is None else torch.device(device)
    staged = fashion_mnist_root(root) / "FashionMNIST" / "raw"
    signature = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in
                      (staged / name for name in _FILES))
    arrays = _load_tensors(staged, signature)
    train = FashionMNISTBatches(arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"],
                                int(batch_size), True, size, device)
    test = FashionMNISTBatches(arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"],
                               int(batch_size), False, size, device)
    return train, test
