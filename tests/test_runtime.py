"""Tests of lesson_utils.runtime."""

from __future__ import annotations

import random
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from lesson_utils import Timer, default_device, glue, seed_everything


@pytest.mark.parametrize("value", ["cpu", "CPU", " cpu "])
def test_default_device_cpu(monkeypatch, value):
    monkeypatch.setenv("LESSON_DEVICE", value)
    assert default_device() == torch.device("cpu")


def _gpus(monkeypatch, cuda: bool, mps: bool) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


@pytest.mark.parametrize("cuda, mps, expected", [(True, True, "cuda"), (True, False, "cuda"),
                                                 (False, True, "mps"), (False, False, "cpu")])
@pytest.mark.parametrize("value", [None, "", "  "])
def test_default_device_unset_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected,
                                                             value):
    _gpus(monkeypatch, cuda, mps)
    if value is None:
        monkeypatch.delenv("LESSON_DEVICE", raising=False)
    else:
        monkeypatch.setenv("LESSON_DEVICE", value)
    assert default_device() == torch.device(expected)


@pytest.mark.parametrize("value", ["gpu", "cuda:x", "tpu:0", "metal", "cuda:99"])
def test_default_device_names_lesson_device_when_torch_rejects_it(monkeypatch, value):
    """Not a device name, or no such device here (no machine has 100 GPUs)."""
    monkeypatch.setenv("LESSON_DEVICE", value)
    with pytest.raises(ValueError, match=f"LESSON_DEVICE='{value}' cannot be used here: "):
        default_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_default_device_cuda_without_a_gpu(monkeypatch):
    monkeypatch.setenv("LESSON_DEVICE", " CUDA ")
    with pytest.raises(ValueError, match="LESSON_DEVICE='cuda' cannot be used here"):
        default_device()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("value", ["cuda", "cuda:0"])
def test_default_device_cuda_where_there_is_one(monkeypatch, value):
    monkeypatch.setenv("LESSON_DEVICE", value)
    assert default_device() == torch.device(value)


def test_seed_everything_makes_every_generator_repeat():
    def draw():
        return random.random(), np.random.rand(), torch.rand(3)  # noqa: NPY002 -- seeded globally

    seed_everything(123)
    first = draw()
    seed_everything(123)
    second = draw()
    assert first[:2] == second[:2] and torch.equal(first[2], second[2])
    seed_everything(np.uint32(123))  # NumPy integers are integers too
    assert draw()[0] == first[0]
    seed_everything(124)
    assert draw()[0] != first[0]


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), ("1", TypeError), (True, TypeError),
                                             (-1, ValueError), (2**32, ValueError),
                                             (np.int64(-1), ValueError)])
def test_seed_everything_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        seed_everything(seed)


def test_timer_records_and_summarises():
    timer = Timer()
    timer.start()
    time.sleep(0.01)
    assert timer.stop() >= 0.01 and len(timer.times) == 1
    timer.times = [3.0, 1.0, 10.0]  # known times: the median (not the mean) is checked exactly
    assert timer.median() == 3.0


def test_timer_as_context_manager():
    with Timer() as timer:
        time.sleep(0.005)
    assert len(timer.times) == 1 and timer.times[0] >= 0.005


def test_timer_records_elapsed_seconds_not_clock_readings():
    """stop() returns the seconds since start(), bounded by what the caller measured around it."""
    timer = Timer()
    before = time.perf_counter()
    timer.start()
    time.sleep(0.01)
    elapsed = timer.stop()
    assert 0.01 <= elapsed <= time.perf_counter() - before


def test_timer_with_block_restarts_the_clock():
    """A with-block times its body only, not the time since the Timer was created."""
    timer = Timer()
    time.sleep(0.05)
    before = time.perf_counter()
    with timer:
        pass
    assert timer.times[0] <= time.perf_counter() - before < 0.05


def test_timer_median_without_times():
    with pytest.raises(ValueError, match="no median for empty data"):
        Timer().median()


# ---------------------------------------------------------------- glue


def test_glue_is_myst_nbs_where_myst_nb_is_installed(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append((a, k)))
    glue("acc", 0.5, display=False)
    assert calls == [(("acc", 0.5), {"display": False})]


def test_glue_records_the_value_as_myst_nb_does(monkeypatch):
    """The real myst_nb.glue runs: the value goes out as glue display data."""
    import myst_nb.ext.glue as myst_glue_module

    published = []
    monkeypatch.setattr(myst_glue_module, "ipy_display",
                        lambda *a, **k: published.append((a, k)))
    glue("acc", 0.25, display=False)
    (bundle, *_), options = published[0]
    assert len(published) == 1 and options.get("raw") is True
    assert any(key.endswith("text/plain") for key in bundle)
    assert "0.25" in str(bundle)


@pytest.mark.parametrize("display", [True, False])
def test_glue_without_myst_nb_only_displays(monkeypatch, display):
    import sys

    import IPython.display

    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb -> ImportError
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda value: shown.append(value))
    glue("acc", 0.5, display=display)
    assert shown == ([0.5] if display else [])


@pytest.mark.parametrize("name, error", [(3, TypeError), (None, TypeError), ("", ValueError),
                                         ("two words", ValueError)])
def test_glue_rejects_a_bad_name(name, error):
    with pytest.raises(error, match="name must be"):
        glue(name, 1.0, display=False)


def test_glue_rejects_a_non_bool_display():
    with pytest.raises(TypeError, match="display must be a bool"):
        glue("acc", 1.0, display="no")


def test_every_public_name_loads_from_its_module_and_imports_stay_lazy():
    """``import lesson_utils`` imports nothing (the book's extensions import lesson_utils.i18n
    and lesson_utils._outputs without torch or matplotlib); each name in __all__ comes from
    the module _HOME names, where it is public too. In a fresh interpreter: other tests
    reload modules."""
    code = """
import importlib, sys
import lesson_utils, lesson_utils.i18n, lesson_utils._outputs
heavy = {"torch", "matplotlib", "hypothesis"} & set(sys.modules)
assert not heavy, heavy
assert sorted(lesson_utils.__all__) == sorted(lesson_utils._MODULE)
for name, module in lesson_utils._MODULE.items():
    home = importlib.import_module(f"lesson_utils.{module}")
    assert getattr(lesson_utils, name) is getattr(home, name), name
    assert name in getattr(home, "__all__", [name]), (name, module)
assert set(lesson_utils.__all__) <= set(dir(lesson_utils))
"""
    subprocess.run([sys.executable, "-c", code], check=True)
