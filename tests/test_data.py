"""Tests of lesson_utils.data, on tiny IDX files written by the tests (no network)."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from tests.conftest import write_fake_fashion_mnist
from torchvision import transforms

from lesson_utils import (
    FASHION_MNIST_CLASSES,
    FashionMNISTBatches,
    data,
    fashion_mnist_labels,
    fashion_mnist_root,
    load_fashion_mnist,
    seed_everything,
)

N_TRAIN, N_TEST = 20, 7


def _raw(directory: Path, name: str) -> np.ndarray:
    payload = gzip.decompress((directory / f"{name}.gz").read_bytes())
    offset = 16 if "images" in name else 8
    array = np.frombuffer(payload[offset:], dtype=np.uint8)
    return array.reshape(-1, 28, 28) if "images" in name else array


# ------------------------------------------------------------------ labels

def test_labels_from_list_and_tensor():
    assert fashion_mnist_labels([0, 9]) == ["t-shirt", "ankle boot"]
    assert fashion_mnist_labels(torch.arange(10)) == list(FASHION_MNIST_CLASSES)
    assert fashion_mnist_labels(np.array([6])) == ["shirt"]
    assert fashion_mnist_labels([np.int64(3), 4]) == ["dress", "coat"]
    assert fashion_mnist_labels([]) == []


@pytest.mark.parametrize(("indices", "error"), [
    ([10], ValueError), ([-1], ValueError), ([1.0], TypeError), ("12", TypeError),
    (torch.tensor([0.0]), TypeError), (3, TypeError), ([True], TypeError),
    (["a"], TypeError), (torch.tensor([[10]]), ValueError)])
def test_labels_bad_input(indices, error):
    with pytest.raises(error, match="indices"):
        fashion_mnist_labels(indices)


# ------------------------------------------------------------------ loading

def test_load_from_explicit_root(fake_data):
    train_iter, test_iter = load_fashion_mnist(8, source_dir=fake_data, device="cpu")
    assert (len(train_iter), len(test_iter)) == (3, 1)
    assert len(train_iter.labels) == N_TRAIN and len(test_iter.labels) == N_TEST
    batches = list(train_iter)
    assert [len(y) for _, y in batches] == [8, 8, 4]
    X, y = batches[0]
    assert X.shape == (8, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    # every training example comes exactly once per epoch
    labels = torch.cat([y for _, y in batches])
    assert sorted(labels.tolist()) == sorted((np.arange(N_TRAIN) % 10).tolist())


def test_test_iterator_keeps_file_order_and_exact_pixels(fake_data):
    _, test_iter = load_fashion_mnist(4, source_dir=fake_data, device="cpu")
    X = torch.cat([X for X, _ in test_iter])
    y = torch.cat([y for _, y in test_iter])
    expected = torch.from_numpy(_raw(fake_data, "t10k-images-idx3-ubyte").copy())
    assert torch.equal(X[:, 0], expected.float() / 255)
    assert y.tolist() == (np.arange(N_TEST) % 10).tolist()


def test_same_pixels_as_torchvision_totensor(fake_data):
    _, test_iter = load_fashion_mnist(N_TEST, source_dir=fake_data, device="cpu")
    dataset = torchvision.datasets.FashionMNIST(
        root=fashion_mnist_root(), train=False, transform=transforms.ToTensor())
    X, y = next(iter(test_iter))
    reference = torch.stack([dataset[i][0] for i in range(N_TEST)])
    assert torch.equal(X, reference)
    assert torch.equal(y, dataset.targets)


def test_training_iterator_reshuffles_and_seed_repeats(fake_data):
    train_iter, _ = load_fashion_mnist(N_TRAIN, source_dir=fake_data, device="cpu")
    seed_everything(0)
    first, second = (next(iter(train_iter))[0] for _ in range(2))
    assert not torch.equal(first, second)
    seed_everything(0)
    assert torch.equal(next(iter(train_iter))[0], first)


@pytest.mark.parametrize(("resize", "shape"), [(14, (14, 14)), ((32, 40), (32, 40))])
def test_resize_matches_torchvision(fake_data, resize, shape):
    train_iter, test_iter = load_fashion_mnist(N_TEST, resize=resize, source_dir=fake_data,
                                               device="cpu")
    _, plain = load_fashion_mnist(N_TEST, source_dir=fake_data, device="cpu")
    X, _ = next(iter(test_iter))
    assert X.shape == (N_TEST, 1, *shape)
    assert next(iter(train_iter))[0].shape == (N_TEST, 1, *shape)  # both iterators resize
    reference = transforms.Resize(list(shape))(next(iter(plain))[0])
    torch.testing.assert_close(X, reference.clamp(0, 1), atol=1e-6, rtol=0)


def test_the_caller_decides_the_device_not_lesson_device(fake_data, monkeypatch):
    monkeypatch.setenv("LESSON_DEVICE", "cuda")  # default_device() would raise here
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    train_iter, _ = load_fashion_mnist(5, source_dir=fake_data)
    X, y = next(iter(train_iter))
    assert X.device.type == y.device.type == "cpu"


@pytest.mark.parametrize("resize", [None, 14])
def test_pixels_are_the_test_batches_in_file_order(fake_data, resize):
    train_iter, test_iter = load_fashion_mnist(3, resize=resize, source_dir=fake_data)
    pixels = test_iter.pixels()
    assert pixels.dtype == torch.float32 and pixels.shape == (N_TEST, 1, *((resize,) * 2 if resize
                                                                          else (28, 28)))
    assert torch.equal(pixels, torch.cat([X for X, _ in test_iter]))
    assert train_iter.pixels().shape[0] == N_TRAIN  # in file order, whatever the shuffle
    expected = torch.from_numpy(_raw(fake_data, "train-images-idx3-ubyte").copy()).float() / 255
    if resize is None:
        assert torch.equal(train_iter.pixels()[:, 0], expected)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((torch.zeros(4, 2, 2), torch.arange(4), 2), {}, TypeError, "images must be a uint8"),
        ((torch.zeros(4, 2, dtype=torch.uint8), torch.arange(4), 2), {}, ValueError,
         "images must be 3-D"),
        ((torch.zeros(4, 2, 2, dtype=torch.uint8), torch.arange(3), 2), {}, ValueError,
         r"labels must have shape \(4,\)"),
        ((torch.zeros(4, 2, 2, dtype=torch.uint8), torch.arange(4), np.int64(0)), {}, ValueError,
         "batch_size must be positive"),
        ((torch.zeros(4, 2, 2, dtype=torch.uint8), torch.arange(4), 2), {"resize": (2, 0)},
         ValueError, "resize must be positive"),
    ],
)
def test_batches_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        FashionMNISTBatches(*args, **kwargs)


# ------------------------------------------------------------------ where the data comes from

def test_uncompressed_files_in_torchvision_layout(fake_data, tmp_path, monkeypatch):
    layout = tmp_path / "tv" / "FashionMNIST" / "raw"
    sums = write_fake_fashion_mnist(layout, gz=False)
    monkeypatch.setattr(data, "_MD5", sums)
    train_iter, _ = load_fashion_mnist(4, source_dir=tmp_path / "tv", device="cpu")
    assert len(train_iter.labels) == N_TRAIN


def test_environment_variable(fake_data, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(fake_data))
    assert len(load_fashion_mnist(4, device="cpu")[0].labels) == N_TRAIN


def test_system_directory(fake_data, monkeypatch):
    monkeypatch.setattr(data, "_SYSTEM_DIR", fake_data)
    assert len(load_fashion_mnist(4, device="cpu")[1].labels) == N_TEST


def test_download_into_cache_when_nothing_else(fake_data, monkeypatch):
    calls = []

    def fake_download(cache):  # what torchvision does: files under cache/FashionMNIST/raw
        calls.append(cache)
        write_fake_fashion_mnist(Path(cache) / "FashionMNIST" / "raw", gz=False)

    monkeypatch.setattr(data, "_download", fake_download)
    root = fashion_mnist_root()
    assert calls == [root] and root == Path(data._cache_dir())
    assert len(load_fashion_mnist(4, device="cpu")[0].labels) == N_TRAIN


def test_staged_cache_is_reused_without_a_source(fake_data, monkeypatch):
    fashion_mnist_root(fake_data)
    monkeypatch.setattr(data, "_SYSTEM_DIR", Path("/nonexistent"))
    # no root, no env, no system dir, downloads fail: the staged copy serves
    assert len(load_fashion_mnist(4, device="cpu")[0].labels) == N_TRAIN


def test_staging_is_in_torchvision_layout(fake_data):
    root = fashion_mnist_root(fake_data)
    staged = sorted(p.name for p in (root / "FashionMNIST" / "raw").iterdir())
    assert staged == sorted(data._FILES)


# ------------------------------------------------------------------ bad input and broken data

def test_missing_everywhere_names_all_four_ways(fake_data):
    with pytest.raises(FileNotFoundError) as info:
        fashion_mnist_root()
    message = str(info.value)
    for way in ("source_dir=", "FASHION_MNIST_DIR", "dataset-fashion-mnist", "LESSON_CACHE_DIR",
                "download"):
        assert way in message


def test_explicit_root_without_files(fake_data, tmp_path):
    with pytest.raises(FileNotFoundError, match="source_dir=.*lacks the four IDX files"):
        load_fashion_mnist(4, source_dir=tmp_path / "empty")


def test_environment_variable_without_files(fake_data, tmp_path, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match="FASHION_MNIST_DIR=.*lacks"):
        load_fashion_mnist(4)


def test_wrong_checksum_names_the_file_and_the_fix(fake_data):
    path = fake_data / "train-labels-idx1-ubyte.gz"
    payload = bytearray(gzip.decompress(path.read_bytes()))
    payload[-1] ^= 1
    path.write_bytes(gzip.compress(bytes(payload)))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz is corrupt: MD5") as info:
        load_fashion_mnist(4, source_dir=fake_data)
    assert "Delete it" in str(info.value) and "reinstall" in str(info.value)
    staged = Path(data._staged_dir())
    assert not (staged / "train-labels-idx1-ubyte").exists()
    assert not list(staged.glob("*.part"))  # the interrupted staging left no half file


def test_truncated_file_names_the_file(fake_data):
    path = fake_data / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError,
                       match=r"t10k-images-idx3-ubyte\.gz is corrupt: .*read to the end"):
        load_fashion_mnist(4, source_dir=fake_data)
    assert not list(Path(data._staged_dir()).glob("*.part"))


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_truncated_explicit_file_is_an_error_even_with_a_good_copy_staged(fake_data, how,
                                                                          monkeypatch):
    root = fashion_mnist_root(fake_data)  # a valid copy is staged first
    staged = root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte"
    good = staged.read_bytes()
    path = fake_data / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    source_dir = fake_data
    if how == "environment":
        monkeypatch.setenv("FASHION_MNIST_DIR", str(fake_data))
        source_dir = None
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz is corrupt"):
        load_fashion_mnist(256, source_dir=source_dir)
    assert staged.read_bytes() == good  # the staged copy is left as it was


def test_an_explicit_source_replaces_a_damaged_staged_copy(fake_data):
    root = fashion_mnist_root(fake_data)
    staged = root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte"
    good = staged.read_bytes()
    staged.write_bytes(good[:-10])
    assert len(load_fashion_mnist(4, source_dir=fake_data)[0].labels) == N_TRAIN
    assert staged.read_bytes() == good


def test_unwritable_cache_dir(fake_data, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("LESSON_CACHE_DIR", str(blocker / "cache"))
    with pytest.raises(OSError, match="cache directory .* is not writable.*LESSON_CACHE_DIR"):
        load_fashion_mnist(4, source_dir=fake_data)


@pytest.mark.parametrize(("batch_size", "error"), [(0, ValueError), (-3, ValueError),
                                                   (2.0, TypeError), ("256", TypeError),
                                                   (True, TypeError)])
def test_bad_batch_size(fake_data, batch_size, error):
    with pytest.raises(error, match="batch_size"):
        load_fashion_mnist(batch_size, source_dir=fake_data)


@pytest.mark.parametrize(("resize", "error"), [(0, ValueError), ((28, -1), ValueError),
                                               (2.5, TypeError), ((1, 2, 3), TypeError)])
def test_bad_resize(fake_data, resize, error):
    with pytest.raises(error, match="resize"):
        load_fashion_mnist(4, resize=resize, source_dir=fake_data)


def test_bad_source_dir_type(fake_data):
    with pytest.raises(TypeError, match="source_dir must be a path or None, got int"):
        load_fashion_mnist(4, source_dir=42)


def test_batches_len_rounds_up(fake_data):
    train_iter, _ = load_fashion_mnist(6, source_dir=fake_data, device="cpu")
    assert len(train_iter) == math.ceil(N_TRAIN / 6)
