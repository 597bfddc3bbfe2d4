"""Fashion-MNIST (chapter ``07_dataset``): find it, stage it, and serve minibatches from memory.

:func:`fashion_mnist_root` finds and stages the files; :func:`load_fashion_mnist`
holds the whole data set in memory as uint8 tensors (55 MB), so an epoch is a
matter of slicing a shuffled index, not of one Python call per image.
"""

from __future__ import annotations

import gzip
import math
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch
import torch.nn.functional as F

from ._validation import check_class_indices, check_labels, check_positive_int, check_tensor

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FashionMNISTBatches",
    "fashion_mnist_labels",
    "fashion_mnist_root",
    "load_fashion_mnist",
]

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)

_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
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
    return [FASHION_MNIST_CLASSES[i] for i in check_class_indices(indices, 10, "indices")]


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
        "  1. the source_dir= argument of load_fashion_mnist / fashion_mnist_root, else the "
        f"directory in the environment variable {_ENV_DIR};\n"
        f"  2. the files already staged in the cache {_staged_dir()} (set {_ENV_CACHE} to "
        "move the cache);\n"
        f"  3. {_SYSTEM_DIR} (Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist);\n"
        "  4. a download into the cache by torchvision, when the internet is reachable.\n"
        "Each needs the four files " + ", ".join(f"{n}[.gz]" for n in _FILES) + "."
    )


def _explicit_source(source_dir: str | os.PathLike | None) -> dict[str, Path] | None:
    """The files in source_dir, else FASHION_MNIST_DIR, else None; a named one must hold them."""
    label = "source_dir"
    if source_dir is None:
        label, source_dir = _ENV_DIR, os.environ.get(_ENV_DIR) or None
        if source_dir is None:
            return None
    if not isinstance(source_dir, (str, os.PathLike)):
        raise TypeError(f"source_dir must be a path or None, got {type(source_dir).__name__}")
    files = _find_files(Path(source_dir))
    if files is None:
        raise FileNotFoundError(_not_found_message(
            f"{label}={os.fspath(source_dir)!r} lacks the four IDX files"))
    return files


def _download(cache: Path) -> None:
    """Download with torchvision into cache/FashionMNIST/raw (the staged layout)."""
    import torchvision  # here, not at the top: chapters without data need not wait for it

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
        f"(for {_SYSTEM_DIR}: sudo apt-get install --reinstall dataset-fashion-mnist; "
        "for a download: delete the file so that it is fetched again)."
    )


def _stage(source: Path, target: Path) -> None:
    """Decompress (torchvision's extract_archive) or copy source beside target, check its
    content's MD5 (torchvision's check_integrity), then rename it to target: a bad file or an
    interruption leaves target as it was."""
    from torchvision.datasets.utils import check_integrity, extract_archive

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".staging-") as folder:
        staged = Path(folder) / target.name
        try:
            if source.suffix == ".gz":
                extract_archive(source, Path(folder))
            else:
                shutil.copyfile(source, staged)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ValueError(_corrupt_message(
                source, f"it could not be read to the end ({exc})")) from exc
        if not check_integrity(staged, _MD5[target.name]):
            raise ValueError(_corrupt_message(
                source, f"MD5 of its content is not the published {_MD5[target.name]}"))
        os.replace(staged, target)


def fashion_mnist_root(source_dir: str | os.PathLike | None = None) -> Path:
    """Find Fashion-MNIST, stage it into the cache, and return torchvision's root.

    The four IDX files (gzipped or not, directly in a directory or in
    torchvision's ``FashionMNIST/raw`` layout) are looked for, in this order:

    1. ``source_dir``, else the directory named by ``FASHION_MNIST_DIR``:
       staged anew on every call, so a bad file there is an error even when a
       good copy is staged already;
    2. the files already staged in the cache (``LESSON_CACHE_DIR``, default
       ``~/.cache/lesson_utils``);
    3. the Debian/Ubuntu package ``dataset-fashion-mnist``
       (``/usr/share/datasets/fashion-mnist``);
    4. a download into the cache with torchvision.

    Staging decompresses (or copies) each file into ``<cache>/FashionMNIST/raw``
    through a temporary name and a rename (an interruption leaves no half
    file), checking the MD5 of the *decompressed* content (packagers
    recompress the ``.gz`` files); ``torchvision.datasets.FashionMNIST(root=returned)``
    then reads them without downloading.

    Parameters
    ----------
    source_dir : path, optional
        A directory with the four IDX files (gzipped or not).

    Returns
    -------
    pathlib.Path
        The cache directory (``LESSON_CACHE_DIR``, default ``~/.cache/lesson_utils``).

    Raises
    ------
    FileNotFoundError
        When a named directory lacks the files, or no source has them and the
        download fails; the message names all the ways to provide them.
    ValueError
        When a file to stage is truncated or its MD5 does not match; the
        message names the file.
    OSError
        When the cache directory cannot be written.

    Examples
    --------
    >>> root = fashion_mnist_root()  # doctest: +SKIP
    >>> import torchvision  # doctest: +SKIP
    >>> torchvision.datasets.FashionMNIST(root, train=False).data.shape  # doctest: +SKIP
    torch.Size([10000, 28, 28])
    """
    source = _explicit_source(source_dir)
    staged = _staged_dir()
    if source is None and all((staged / name).is_file() for name in _FILES):
        return _cache_dir()
    source = source or _find_files(_SYSTEM_DIR)
    _ensure_writable(staged)
    if source is None:
        try:
            _download(_cache_dir())
        except Exception as exc:  # no network, proxy, disk...: report every way
            raise FileNotFoundError(_not_found_message(f"the download failed ({exc})")) from exc
        return _cache_dir()
    for name, path in source.items():
        _stage(path, staged / name)
    return _cache_dir()


class FashionMNISTBatches:
    """An iterable of minibatches ``(X, y)`` drawn from images held in memory.

    ``X`` is float32 of shape (batch, 1, H, W) with values in [0, 1] (the
    ``resize`` shape if given); ``y`` is int64 of shape (batch,). With
    ``shuffle=True`` every pass draws a new order from PyTorch's global
    generator (so ``seed_everything`` makes it repeatable); otherwise the
    batches keep the order of the images. ``len()`` is the number of batches;
    the last one may be smaller. :func:`load_fashion_mnist` returns two of these.

    Parameters
    ----------
    images : uint8 tensor of shape (n, H, W)
    labels : integer tensor of shape (n,)
    batch_size : int
    shuffle : bool
    resize : int or (int, int), optional
        Resize every image to this size (bilinear, antialiased), as
        torchvision's ``Resize`` would.
    device : torch.device or str
        Where the images are kept and the batches made.

    Attributes
    ----------
    images : uint8 tensor of shape (n, H, W)
        As held in memory, on ``device``; :meth:`pixels` converts them all.
    labels : int64 tensor of shape (n,)

    Examples
    --------
    >>> images = torch.arange(5 * 2 * 2, dtype=torch.uint8).reshape(5, 2, 2)
    >>> batches = FashionMNISTBatches(images, torch.arange(5), batch_size=2)
    >>> len(batches), [y.tolist() for _, y in batches]
    (3, [[0, 1], [2, 3], [4]])
    >>> X = batches.pixels()  # every image, in order, as float32 in [0, 1]
    >>> X.shape, round(X.max().item() * 255)
    (torch.Size([5, 1, 2, 2]), 19)
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, *,
                 shuffle: bool = False, resize: int | tuple[int, int] | None = None,
                 device: torch.device | str = "cpu") -> None:
        if check_tensor(images, "images", ndim=3).dtype != torch.uint8:
            raise TypeError(f"images must be a uint8 tensor, got dtype {images.dtype}")
        check_labels(labels, name="labels", length=len(images))
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.resize = _check_resize(resize)
        self.shuffle = bool(shuffle)
        self.device = torch.device(device)
        self.images = images.to(self.device)  # uint8 (55 MB for all of Fashion-MNIST)
        self.labels = labels.to(device=self.device, dtype=torch.int64)

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def pixels(self) -> torch.Tensor:
        """All images, float32 of shape (n, 1, H, W) in [0, 1], resized if set, in file order."""
        return self._to_float(self.images)

    def _to_float(self, images: torch.Tensor) -> torch.Tensor:
        X = images.div(255).unsqueeze(1)  # uint8 / int -> float32 in one pass
        if self.resize is not None:
            X = F.interpolate(X, size=self.resize, mode="bilinear",
                              align_corners=False, antialias=True).clamp_(0, 1)
        return X

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
            yield self._to_float(images), labels


def _check_resize(resize: object) -> tuple[int, int] | None:
    if resize is None:
        return None
    sizes = resize if isinstance(resize, (tuple, list)) else (resize, resize)
    if len(sizes) != 2:
        raise TypeError(f"resize must be None, an int or a pair of ints, got {resize!r}")
    return check_positive_int(sizes[0], "resize"), check_positive_int(sizes[1], "resize")


def load_fashion_mnist(batch_size: int, resize: int | tuple[int, int] | None = None,
                       source_dir: str | os.PathLike | None = None,
                       device: torch.device | str = "cpu",
                       ) -> tuple[FashionMNISTBatches, FashionMNISTBatches]:
    """Load Fashion-MNIST into memory and return training and test iterators.

    Parameters
    ----------
    batch_size : int
        Examples per minibatch (> 0).
    resize : int or (int, int), optional
        Resize images to this size (bilinear, antialiased), as torchvision's
        ``Resize`` would.
    source_dir : path, optional
        A directory with the four IDX files; see :func:`fashion_mnist_root`
        for the search order.
    device : torch.device or str
        Where the images are kept and the batches made (default the CPU;
        chapters pass ``default_device()``).

    Returns
    -------
    train_iter, test_iter : FashionMNISTBatches
        Iterables of ``(X, y)``: X float32 (batch_size, 1, 28, 28) in [0, 1]
        (or the resized shape), y int64 (batch_size,). The training iterator
        reshuffles every epoch; the test iterator keeps the file order.

    Examples
    --------
    >>> train_iter, test_iter = load_fashion_mnist(256)  # doctest: +SKIP
    >>> len(train_iter), len(test_iter)  # doctest: +SKIP
    (235, 40)
    """
    import torchvision  # here, not at the top: chapters without data need not wait for it

    root = fashion_mnist_root(source_dir)
    train_set, test_set = (torchvision.datasets.FashionMNIST(root, train=is_train)
                           for is_train in (True, False))
    return (FashionMNISTBatches(train_set.data, train_set.targets, batch_size, shuffle=True,
                                resize=resize, device=device),
            FashionMNISTBatches(test_set.data, test_set.targets, batch_size, resize=resize,
                                device=device))
