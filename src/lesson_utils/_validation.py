"""Argument checks shared by the package, one helper per kind of check.

Each is called in one line, so that a function's own lines come first. A wrong
type raises ``TypeError``, a wrong value ``ValueError``; the message names the
argument, what was expected and what came.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np
import torch

_PROBABILITY_ATOL = 1e-3  # how far a row of probabilities may sum from 1


def check_int(value: object, name: str) -> int:
    """Require an integer: a Python int or a NumPy integer, never a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return int(value)


def check_positive_int(value: object, name: str) -> int:
    """Require an integer > 0 (see :func:`check_int`)."""
    value = check_int(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def check_positive_real(value: object, name: str) -> float:
    """Require a finite real number > 0 (ints and NumPy numbers too, never a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value}")
    return float(value)


def check_callable(value: object, name: str) -> None:
    """Require something that can be called, e.g. a model or a loss."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def check_tensor(value: object, name: str, *, floating: bool = False,
                 ndim: int | None = None) -> torch.Tensor:
    """Require a tensor (optionally floating point, optionally of a given ndim)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {tuple(value.shape)}")
    return value


def check_labels(y: object, num_classes: int | None = None, *, name: str = "y",
                 length: int | None = None) -> torch.Tensor:
    """Require integer class indices, within ``0..num_classes-1`` when given."""
    y = check_tensor(y, name)
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got dtype {y.dtype}")
    if length is not None and (y.ndim != 1 or len(y) != length):
        raise ValueError(f"{name} must have shape ({length},), got {tuple(y.shape)}")
    if y.numel():
        low, high = int(y.min()), int(y.max())
        if low < 0:
            raise ValueError(f"{name} holds a negative class index ({low})")
        if num_classes is not None and high >= num_classes:
            raise ValueError(
                f"{name} holds class index {high}, out of range for {num_classes} classes")
    return y


def check_class_indices(values: object, num_classes: int, name: str) -> list[int]:
    """Require class indices in ``0..num_classes-1``, as a tensor or an iterable of ints."""
    if not isinstance(values, torch.Tensor):
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"{name} must be an iterable of ints, got {type(values).__name__}")
        array = np.asarray(list(values))
        if array.dtype.kind not in "biuf":  # floats and bools: check_labels names them
            raise TypeError(f"{name} must hold integers, got {array.tolist()!r}")
        values = torch.as_tensor(array if array.size else array.astype(np.int64))
    return check_labels(values, num_classes, name=name).reshape(-1).tolist()


def check_predictions(Y_hat: object, y: object, num_classes: int | None = None) -> torch.Tensor:
    """Require labels ``y`` of shape (n,), n >= 1, and a tensor ``Y_hat``; return ``y``.

    The labels must lie below ``num_classes``, else below the number of
    columns of ``Y_hat`` when it holds scores of shape (n, q). The shapes of
    ``Y_hat`` are checked where predictions are taken (``metrics._predicted_labels``).
    """
    Y_hat = check_tensor(Y_hat, "Y_hat")
    if num_classes is None and Y_hat.ndim == 2:
        num_classes = Y_hat.shape[1]
    y = check_labels(y, num_classes, name="y")
    if y.ndim != 1 or len(y) == 0:
        raise ValueError(f"y must have shape (n,) with n >= 1, got {tuple(y.shape)}")
    return y


def check_grid(imgs: Iterable, num_rows: object, num_cols: object, titles: Iterable | None,
               scale: object) -> tuple[list, list | None]:
    """Require a grid (of positive size and scale) with a cell and a title for every image.

    Returns the images and the titles (or None) as lists.
    """
    cells = check_positive_int(num_rows, "num_rows") * check_positive_int(num_cols, "num_cols")
    check_positive_real(scale, "scale")
    images, titles = list(imgs), None if titles is None else list(titles)
    if len(images) > cells:
        raise ValueError(f"imgs has {len(images)} images, more than the "
                         f"{num_rows}x{num_cols} grid holds")
    if titles is not None and len(titles) < len(images):
        raise ValueError(f"titles has {len(titles)} entries for {len(images)} images")
    return images, titles


def check_distributions(p: object, name: str, *, hint: str = "") -> torch.Tensor:
    """Require probability distributions along the last dimension of a floating tensor.

    Entries must lie in [0, 1] and each row must sum to 1 within 1e-3. NaN
    passes: it is the symptom of a diverged model, which ``train`` reports.
    ``hint`` is added to the message of a failed check.
    """
    p = check_tensor(p, name, floating=True)
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must hold distributions along its last dimension, shape (q,) "
                         f"or (n, q) with q >= 1, got shape {tuple(p.shape)}")
    if p.numel() == 0:
        return p
    values = p.detach()
    low, high = values.aminmax()
    off = (values.sum(dim=-1) - 1).abs().max()
    low, high, off = torch.stack([low, high, off]).tolist()  # one wait for the device
    if low < 0 or high > 1:  # False for NaN
        raise ValueError(f"{name} must hold probabilities in [0, 1], got "
                         f"{high if high > 1 else low:g}" + hint)
    if off > _PROBABILITY_ATOL:
        raise ValueError(f"{name} must sum to 1 along its last dimension, but a sum is off by "
                         f"{off:.3g}" + hint)
    return p


def check_params(params: object) -> list[torch.Tensor]:
    """Require tensors that require grad and hold a gradient (all checked before any use)."""
    if isinstance(params, torch.Tensor) or not isinstance(params, Iterable):
        raise TypeError("params must be an iterable of tensors, e.g. [W, b], "
                        f"got {type(params).__name__}")
    params = list(params)
    if not params:
        raise ValueError("params is empty: nothing to update")
    for i, param in enumerate(params):
        check_tensor(param, f"params[{i}]")
        if param.grad is None:
            raise ValueError(f"params[{i}] has no gradient: create it with requires_grad=True "
                             "and call backward() on the loss first")
    return params


def check_batch(batch: object, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Require one item of a data iterator: a pair (X, y) of tensors."""
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2
            and all(isinstance(t, torch.Tensor) for t in batch)):
        raise TypeError(f"{name} must yield pairs (X, y) of tensors, got {type(batch).__name__}")
    return batch[0], batch[1]
