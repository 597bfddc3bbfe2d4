"""Argument checks shared by the package: each error names the argument."""

from __future__ import annotations

import torch


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


def check_positive_int(value: object, name: str) -> int:
    """Require an int > 0 (bools are rejected)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value
