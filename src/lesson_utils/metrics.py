"""How good is a classifier: accuracy, its running sums, the confusion matrix, calibration.

Chapter ``08_softmax_scratch`` introduces :func:`accuracy`, :class:`Accumulator`
and :func:`evaluate_accuracy` (the notes' names); chapter ``10_evaluating`` uses
:func:`confusion_matrix`, :func:`calibration_bins` and
:func:`expected_calibration_error`.

Speed: running sums stay on the device as tensors and are read once per pass,
so a GPU is not made to wait for the CPU after every minibatch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from numbers import Real

import torch
from torch import nn

from ._validation import (
    check_batch,
    check_callable,
    check_distributions,
    check_labels,
    check_positive_int,
    check_predictions,
    check_tensor,
)

__all__ = ["accuracy", "Accumulator", "evaluate_accuracy", "confusion_matrix",
           "calibration_bins", "expected_calibration_error"]


def _predicted_labels(Y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Predicted class per row: argmax of (n, q) scores, or (n,) labels as given.

    Checks shapes only (no device synchronisation), so training loops can call
    it on every minibatch.
    """
    if Y_hat.ndim not in (1, 2) or Y_hat.shape[0] != y.shape[0]:
        raise ValueError(f"Y_hat must be scores of shape (n, q) or labels of shape (n,) for "
                         f"the n = {y.shape[0]} labels, got {tuple(Y_hat.shape)}")
    if Y_hat.ndim == 2:
        return Y_hat.argmax(dim=1)
    if Y_hat.is_floating_point() or Y_hat.is_complex() or Y_hat.dtype == torch.bool:
        raise TypeError(f"Y_hat of shape (n,) must hold predicted class indices, got dtype "
                        f"{Y_hat.dtype}; pass scores of shape (n, q) to take their argmax")
    return Y_hat


def _num_correct(Y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Number of correct predictions as a 0-d tensor on ``y``'s device (no sync)."""
    return (_predicted_labels(Y_hat, y) == y).sum()


def accuracy(Y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of examples whose predicted class equals the label.

    ``Y_hat`` holds scores (logits or probabilities) of shape (n, q), or
    predicted class indices of shape (n,); ``y`` the true class indices, shape
    (n,). The prediction is the argmax of each row (the max-win rule); softmax
    keeps the order of the logits, so logits and probabilities give the same
    answer.

    >>> Y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    >>> accuracy(Y_hat, torch.tensor([0, 2]))
    0.5
    >>> accuracy(torch.tensor([2, 2]), torch.tensor([0, 2]))
    0.5
    """
    y = check_predictions(Y_hat, y)
    return float(_num_correct(Y_hat, y)) / len(y)


class Accumulator:
    """Running sums of ``n`` quantities, e.g. (loss sum, number correct, examples).

    Values may be Python numbers or one-element tensors. Tensors are summed
    where they live (on the GPU, say) and turned into a Python float only when
    an entry is read, so adding does not wait for the device. Used in chapter
    ``08_softmax_scratch``.

    >>> metric = Accumulator(2)
    >>> metric.add(3, torch.tensor(4.0))
    >>> metric.add(1, 2)
    >>> metric[0], metric[1]
    (4.0, 6.0)
    >>> metric.reset(); metric[1]
    0.0
    """

    def __init__(self, n: int) -> None:
        self.n = check_positive_int(n, "n")
        self.data: list[float | torch.Tensor] = [0.0] * self.n

    def add(self, *args: float | torch.Tensor) -> None:
        """Add one value to each running sum (exactly ``n`` values)."""
        if len(args) != self.n:
            raise ValueError(f"args must hold {self.n} values, got {len(args)}")
        for i, value in enumerate(args):
            if isinstance(value, torch.Tensor):
                if value.numel() != 1:
                    raise ValueError(f"args[{i}] must be a one-element tensor, "
                                     f"got shape {tuple(value.shape)}")
                value = value.detach().reshape(())
            elif isinstance(value, bool) or not isinstance(value, Real):
                raise TypeError(f"args[{i}] must be a number or a tensor, "
                                f"got {type(value).__name__}")
            self.data[i] = self.data[i] + value

    def reset(self) -> None:
        """Set every sum back to zero."""
        self.data = [0.0] * self.n

    def __getitem__(self, idx: int) -> float:
        return float(self.data[idx])


def evaluate_accuracy(net: Callable[[torch.Tensor], torch.Tensor],
                      data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Accuracy of ``net`` (X of shape (n, ...) to scores (n, q)) over every batch of ``data_iter``.

    An ``nn.Module`` is put in evaluation mode for the pass (and back in the
    mode it was in afterwards); no gradients are recorded. The batches are
    used where they are: put the model on the same device.

    >>> net = lambda X: torch.stack([X[:, 0], -X[:, 0]], dim=1)  # class 0 when x > 0
    >>> batches = [(torch.tensor([[1.0], [-2.0]]), torch.tensor([0, 1])),
    ...            (torch.tensor([[3.0]]), torch.tensor([1]))]
    >>> round(evaluate_accuracy(net, batches), 4)
    0.6667
    """
    check_callable(net, "net")
    was_training = net.training if isinstance(net, nn.Module) else None
    if was_training:
        net.eval()
    metric = Accumulator(2)  # number correct, number of examples
    try:
        with torch.no_grad():
            for batch in data_iter:
                X, y = check_batch(batch, "data_iter")
                metric.add(_num_correct(net(X), y), y.numel())
    finally:
        if was_training:
            net.train()
    if metric[1] == 0:
        raise ValueError("data_iter yielded no examples: nothing to evaluate")
    return metric[0] / metric[1]


def confusion_matrix(Y_hat: torch.Tensor, y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Count, for each true class, how often each class was predicted.

    ``Y_hat`` holds scores (n, q) or predicted class indices (n,), ``y`` the
    true class indices (n,). Entry ``[i, j]`` of the int64 (q, q) result
    counts examples of true class ``i`` predicted as ``j``; rows sum to the
    class sizes and the trace is the number correct.

    >>> confusion_matrix(torch.tensor([0, 2, 2, 1]), torch.tensor([0, 2, 1, 1]), 3)
    tensor([[1, 0, 0],
            [0, 1, 1],
            [0, 0, 1]])
    """
    y = check_predictions(Y_hat, y, check_positive_int(num_classes, "num_classes"))
    if Y_hat.ndim == 2 and Y_hat.shape[1] != num_classes:
        raise ValueError(f"Y_hat has {Y_hat.shape[1]} columns, expected num_classes={num_classes}")
    pred = check_labels(_predicted_labels(Y_hat, y), num_classes, name="Y_hat")
    flat = y.long() * num_classes + pred.long()
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def _check_probabilities(Y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    check_tensor(Y_hat, "Y_hat", floating=True, ndim=2)
    y = check_labels(y, Y_hat.shape[1], name="y", length=Y_hat.shape[0])
    if y.numel() == 0:
        raise ValueError("y is empty: calibration needs at least one example")
    check_distributions(Y_hat, "Y_hat", hint=" (apply softmax to logits first)")
    return y


def calibration_bins(Y_hat: torch.Tensor, y: torch.Tensor, num_bins: int = 10,
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Group predictions by confidence and measure each group's accuracy.

    ``Y_hat`` (n, q) holds rows of probabilities. The confidence of a
    prediction is its largest probability; bin ``k`` of ``num_bins`` equal
    bins holds the confidences in ``(k / num_bins, (k + 1) / num_bins]``. A
    calibrated model is right about 70 % of the time when it says 0.7: its
    bins lie on the diagonal of a reliability diagram. Returns, per bin, the
    mean confidence and the accuracy (NaN where the bin is empty) and the
    number of examples (int64).

    >>> Y_hat = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6]])
    >>> conf, acc, count = calibration_bins(Y_hat, torch.tensor([0, 1, 1]), num_bins=2)
    >>> conf, acc, count
    (tensor([   nan, 0.7667]), tensor([   nan, 0.6667]), tensor([0, 3]))
    """
    num_bins = check_positive_int(num_bins, "num_bins")
    y = _check_probabilities(Y_hat, y)
    confidence, pred = Y_hat.max(dim=1)
    correct = (pred == y).to(Y_hat.dtype)
    # ceil(c * B) - 1 puts c in (k/B, (k+1)/B]; clamp keeps c = 0 in bin 0
    index = (torch.ceil(confidence * num_bins).long() - 1).clamp(0, num_bins - 1)
    count = torch.bincount(index, minlength=num_bins)
    conf_sum = torch.zeros(num_bins, dtype=Y_hat.dtype, device=Y_hat.device).index_add_(
        0, index, confidence)
    acc_sum = torch.zeros_like(conf_sum).index_add_(0, index, correct)
    safe = count.clamp(min=1).to(Y_hat.dtype)
    empty = count == 0
    nan = torch.tensor(float("nan"), dtype=Y_hat.dtype, device=Y_hat.device)
    return (torch.where(empty, nan, conf_sum / safe), torch.where(empty, nan, acc_sum / safe),
            count)


def expected_calibration_error(Y_hat: torch.Tensor, y: torch.Tensor, num_bins: int = 10) -> float:
    """Expected calibration error: the count-weighted mean gap |accuracy - confidence|.

    ``ECE = sum_k (n_k / n) * |acc_k - conf_k|`` over the bins of
    :func:`calibration_bins`; 0 for a perfectly calibrated model.

    >>> Y_hat = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6]])
    >>> round(expected_calibration_error(Y_hat, torch.tensor([0, 1, 1]), num_bins=2), 4)
    0.1
    """
    confidence, acc, count = calibration_bins(Y_hat, y, num_bins)
    filled = count > 0
    weights = count[filled].to(confidence.dtype) / count.sum()
    return float((weights * (acc[filled] - confidence[filled]).abs()).sum())
