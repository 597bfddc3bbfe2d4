"""Runtime helpers: which device to use, reproducible seeds, a timer, and
glueing a value into the book wherever the chapter runs.

Used from the first chapter that runs code (``07_dataset``) onwards.
"""

from __future__ import annotations

import os
import random
import statistics
import time

import numpy as np
import torch

from ._validation import check_int

__all__ = ["default_device", "glue", "seed_everything", "Timer"]


def glue(name: str, value: object, display: bool = True) -> None:
    """Glue ``value`` into the book's text under ``name``, wherever the chapter runs.

    When the book is built, this is ``myst_nb.glue``: the page's text shows the
    value where it writes ``{glue:text}`name```. A reader who runs the
    notebook without myst-nb installed (on Colab, say) has no book to glue
    into: the value is then only displayed, if ``display`` is true, as myst-nb
    would display it.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``display`` is not a bool.
    ValueError
        If ``name`` is empty or contains whitespace (glue keys are single words).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if not name or any(c.isspace() for c in name):
        raise ValueError(f"name must be a non-empty word without spaces, got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be a bool, got {type(display).__name__}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show
            show(value)
        return
    myst_glue(name, value, display=display)


def default_device() -> torch.device:
    """Return the device chapters put their models and batches on.

    The environment variable ``LESSON_DEVICE`` decides (``cpu``, ``cuda``,
    ``cuda:1``, ``mps``: any name ``torch.device`` takes that works here).
    When it is unset or empty, CUDA is used if available, else an Apple GPU
    (``mps``) if available, else the CPU.

    Raises
    ------
    ValueError
        If ``LESSON_DEVICE`` is not a device name, or names a device this
        machine lacks; the message quotes PyTorch's reason.

    Examples
    --------
    >>> import os
    >>> os.environ["LESSON_DEVICE"] = "cpu"
    >>> default_device()
    device(type='cpu')
    >>> del os.environ["LESSON_DEVICE"]
    """
    wanted = os.environ.get("LESSON_DEVICE", "").strip().lower()
    if not wanted:
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if torch.backends.mps.is_available() else "cpu")
    try:  # an empty tensor there: a missing GPU fails now, not at the first batch
        device = torch.device(wanted)
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError) as exc:  # a CPU-only torch asserts for "cuda"
        raise ValueError(f"LESSON_DEVICE={wanted!r} cannot be used here: {exc}") from exc
    return device


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's (CPU and CUDA) random generators.

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.

    Examples
    --------
    >>> seed_everything(0)
    >>> a = torch.rand(2)
    >>> seed_everything(0)
    >>> torch.equal(a, torch.rand(2))
    True
    """
    seed = check_int(seed, "seed")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- the global generator is what chapters draw from
    torch.manual_seed(seed)  # also seeds every CUDA device


class Timer:
    """Record wall-clock durations; starts on creation.

    Use ``start()``/``stop()`` pairs, or ``with timer:`` blocks; each stop adds
    one entry to ``times``.

    Examples
    --------
    >>> timer = Timer()
    >>> with timer:
    ...     _ = sum(range(1000))
    >>> len(timer.times), timer.median() >= 0
    (1, True)
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start (or restart) the clock."""
        self._tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the clock, record the elapsed seconds and return them."""
        self.times.append(time.perf_counter() - self._tik)
        return self.times[-1]

    def __enter__(self) -> Timer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def median(self) -> float:
        """Median of the recorded times, in seconds (robust on noisy machines)."""
        return float(statistics.median(self.times))  # StatisticsError (a ValueError) if none
