"""Tests of lesson_utils.metrics: each from-scratch measure against a plain count."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import synthetic_batches
from torch import nn

from lesson_utils import (
    Accumulator,
    SoftmaxRegressionScratch,
    accuracy,
    calibration_bins,
    confusion_matrix,
    evaluate_accuracy,
    expected_calibration_error,
    softmax,
    softmax_regression,
)


def _manual_accuracy(scores: torch.Tensor, y: torch.Tensor) -> float:
    correct = sum(int(max(range(len(row)), key=lambda j: row[j]) == label)
                  for row, label in zip(scores.tolist(), y.tolist(), strict=True))
    return correct / len(y)


def test_accuracy_of_the_notes_example():
    Y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert accuracy(Y_hat, torch.tensor([0, 2])) == 0.5


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 40), q=st.integers(2, 8), seed=st.integers(0, 2**16))
def test_accuracy_matches_a_manual_count(n, q, seed):
    g = torch.Generator().manual_seed(seed)
    O = torch.randn(n, q, generator=g)
    y = torch.randint(0, q, (n,), generator=g)
    expected = _manual_accuracy(O, y)
    assert accuracy(O, y) == pytest.approx(expected)
    assert accuracy(softmax(O), y) == pytest.approx(expected)  # softmax keeps the argmax
    assert accuracy(O.argmax(1), y) == pytest.approx(expected)  # predicted labels
    assert 0.0 <= accuracy(O, y) <= 1.0


def test_accuracy_extremes():
    y = torch.tensor([0, 1, 2])
    assert accuracy(torch.eye(3), y) == 1.0
    assert accuracy(torch.eye(3).roll(1, dims=1), y) == 0.0
    assert accuracy(torch.tensor([[1e30, -1e30]]), torch.tensor([0])) == 1.0


@pytest.mark.parametrize(
    ("Y_hat", "y", "error", "match"),
    [
        (torch.zeros(3, 2), torch.tensor([0, 1]), ValueError, r"n = 2 labels, got \(3, 2\)"),
        (torch.tensor([0, 1, 1]), torch.tensor([0, 1]), ValueError, r"n = 2 labels, got \(3,\)"),
        (torch.zeros(0, 2), torch.zeros(0, dtype=torch.int64), ValueError, "n >= 1, got"),
        (torch.zeros(2, 2), torch.tensor([0.0, 1.0]), TypeError, "y must hold integer"),
        (torch.zeros(2, 2), torch.tensor([0, 2]), ValueError, "y holds class index 2"),
        (torch.zeros(2, 2), torch.tensor([0, -1]), ValueError, "y holds a negative"),
        (torch.zeros(2, 2, 2), torch.tensor([0, 1]), ValueError, "Y_hat must be scores"),
        (torch.tensor([0.0, 1.0]), torch.tensor([0, 1]), TypeError, "Y_hat of shape"),
        ([[0.1, 0.9]], torch.tensor([1]), TypeError, "Y_hat must be a torch.Tensor"),
        (torch.zeros(2, 2), torch.tensor([[0, 1]]), ValueError, "y must have shape"),
    ],
)
def test_accuracy_bad_input(Y_hat, y, error, match):
    with pytest.raises(error, match=match):
        accuracy(Y_hat, y)


# ------------------------------------------------------------------ Accumulator

def test_accumulator_sums_numbers_and_tensors():
    metric = Accumulator(3)
    metric.add(1, 2.5, torch.tensor(3))
    metric.add(torch.tensor([1.0]), 0.5, 4)
    assert [metric[i] for i in range(3)] == [2.0, 3.0, 7.0]
    assert isinstance(metric.data[2], torch.Tensor)  # not read back until asked
    metric.reset()
    assert [metric[i] for i in range(3)] == [0.0, 0.0, 0.0]


def test_accumulator_does_not_keep_autograd_history():
    w = torch.ones(1, requires_grad=True)
    metric = Accumulator(1)
    metric.add((2 * w).sum())
    assert not metric.data[0].requires_grad


@pytest.mark.parametrize(
    ("n", "args", "error", "match"),
    [
        (2, (1,), ValueError, "args must hold 2 values"),
        (1, (torch.ones(2),), ValueError, r"args\[0\] must be a one-element tensor"),
        (1, ("3",), TypeError, r"args\[0\] must be a number"),
        (1, (True,), TypeError, r"args\[0\] must be a number"),
    ],
)
def test_accumulator_bad_add(n, args, error, match):
    with pytest.raises(error, match=match):
        Accumulator(n).add(*args)


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (-1, ValueError), (2.0, TypeError)])
def test_accumulator_bad_size(n, error):
    with pytest.raises(error, match="n must be"):
        Accumulator(n)


# ------------------------------------------------------------------ evaluate_accuracy

def test_evaluate_accuracy_matches_a_manual_count_and_restores_the_mode():
    torch.manual_seed(0)
    data = synthetic_batches(shuffle=False)
    net = softmax_regression()
    correct = sum(int((net(X).argmax(1) == y).sum()) for X, y in data)
    net.train()
    assert evaluate_accuracy(net, data) == pytest.approx(correct / len(data.labels))
    assert net.training
    net.eval()
    evaluate_accuracy(net, data)
    assert not net.training


def test_evaluate_accuracy_runs_a_module_in_evaluation_mode():
    """Dropout and the like must be off while measuring: the forward pass sees eval mode."""
    class ModeRecorder(nn.Linear):
        def __init__(self) -> None:
            super().__init__(2, 2)
            self.modes: list[bool] = []

        def forward(self, X):
            self.modes.append(self.training)
            return super().forward(X)

    net = ModeRecorder()  # a new module is in training mode
    batch = (torch.randn(3, 2), torch.tensor([0, 1, 1]))
    evaluate_accuracy(net, [batch, batch])
    assert net.modes == [False, False] and net.training


def test_evaluate_accuracy_of_a_scratch_model_records_no_autograd_graph():
    torch.manual_seed(0)
    model = SoftmaxRegressionScratch()
    X = torch.rand(10, 1, 28, 28)
    y = model(X).argmax(1)
    graphs = []

    def net(X):
        Y_hat = model(X)
        graphs.append(Y_hat.requires_grad)  # True only where autograd records
        return Y_hat

    assert evaluate_accuracy(net, [(X, y), (X[:3], (y[:3] + 1) % 10)]) == 10 / 13
    assert graphs == [False, False]


def test_evaluate_accuracy_bad_input():
    net = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="data_iter yielded no examples"):
        evaluate_accuracy(net, [])
    with pytest.raises(TypeError, match="data_iter must yield pairs"):
        evaluate_accuracy(net, [torch.zeros(2, 2)])
    with pytest.raises(ValueError, match=r"n = 3 labels, got \(2, 2\)"):
        evaluate_accuracy(net, [(torch.zeros(2, 2), torch.zeros(3, dtype=torch.int64))])
    with pytest.raises(TypeError, match="net must be callable"):
        evaluate_accuracy("net", [])


# ------------------------------------------------------------------ confusion matrix

def test_confusion_matrix_matches_a_loop():
    g = torch.Generator().manual_seed(1)
    O = torch.randn(200, 4, generator=g)
    y = torch.randint(0, 4, (200,), generator=g)
    expected = np.zeros((4, 4), dtype=np.int64)
    for true, pred in zip(y.tolist(), O.argmax(1).tolist(), strict=True):
        expected[true, pred] += 1
    C = confusion_matrix(O, y, 4)
    assert C.dtype == torch.int64
    np.testing.assert_array_equal(C.numpy(), expected)
    assert torch.equal(C.sum(1), torch.bincount(y, minlength=4))
    assert int(C.trace()) / len(y) == pytest.approx(accuracy(O, y))
    assert torch.equal(confusion_matrix(O.argmax(1), y, 4), C)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((torch.zeros(2, 3), torch.tensor([0, 1]), 0), ValueError, "num_classes must be positive"),
        ((torch.zeros(2, 3), torch.tensor([0, 1]), 4), ValueError, "Y_hat has 3 columns"),
        ((torch.tensor([0, 5]), torch.tensor([0, 1]), 3), ValueError, "Y_hat holds class index 5"),
        ((torch.zeros(2, 3), torch.tensor([0, 3]), 3), ValueError, "y holds class index 3"),
        ((torch.zeros(2, 3), torch.tensor([0, 1]), 2.0), TypeError, "num_classes must be an int"),
    ],
)
def test_confusion_matrix_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        confusion_matrix(*args)


def _manual_bins(P: np.ndarray, y: np.ndarray, num_bins: int):
    conf, pred = P.max(1), P.argmax(1)
    conf_out, acc_out, count = [], [], []
    for k in range(num_bins):
        low, high = k / num_bins, (k + 1) / num_bins
        inside = (conf > low) & (conf <= high) if k else (conf <= high)
        count.append(int(inside.sum()))
        conf_out.append(conf[inside].mean() if inside.any() else np.nan)
        acc_out.append((pred[inside] == y[inside]).mean() if inside.any() else np.nan)
    return np.array(conf_out), np.array(acc_out), np.array(count)


@pytest.mark.parametrize("num_bins", [1, 5, 10, 15])
def test_calibration_bins_match_a_loop(num_bins):
    g = torch.Generator().manual_seed(num_bins)
    P = softmax(3 * torch.randn(500, 5, generator=g, dtype=torch.float64))
    y = torch.randint(0, 5, (500,), generator=g)
    conf, acc, count = calibration_bins(P, y, num_bins)
    m_conf, m_acc, m_count = _manual_bins(P.numpy(), y.numpy(), num_bins)
    np.testing.assert_array_equal(count.numpy(), m_count)
    np.testing.assert_allclose(conf.numpy(), m_conf, equal_nan=True)
    np.testing.assert_allclose(acc.numpy(), m_acc, equal_nan=True)
    filled = m_count > 0
    ece = (m_count[filled] / 500 * np.abs(m_acc[filled] - m_conf[filled])).sum()
    assert expected_calibration_error(P, y, num_bins) == pytest.approx(ece)


def _rows_with_confidence(confidences: list[float], dtype: torch.dtype) -> torch.Tensor:
    """Rows of probabilities whose largest entry is exactly c: [c, c, ..., rest, 0, ...]."""
    rows = []
    for c in confidences:
        copies = int(1 / c + 1e-9)
        rows.append([c] * copies + [1 - copies * c] + [0.0] * (10 - copies))
    return torch.tensor(rows, dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_calibration_bins_put_a_confidence_on_an_edge_in_the_bin_below(dtype):
    """Bin k is (k/B, (k+1)/B]: c = 0.3 with B = 10 is in bin 2, not 3 (ceil(c*B) - 1)."""
    edges = [k / 10 for k in range(1, 11)]
    confidences = edges + [0.35, 0.999]
    P = _rows_with_confidence(confidences, dtype)
    assert P.max(dim=1).values.tolist() == torch.tensor(confidences, dtype=dtype).tolist()
    count = calibration_bins(P, torch.zeros(len(P), dtype=torch.int64), num_bins=10)[2]
    # bucketize finds the i with upper[i-1] < c <= upper[i]: independent of ceil and floor
    upper = torch.arange(1, 11, dtype=dtype) / 10
    expected = torch.bincount(torch.bucketize(P.max(dim=1).values, upper), minlength=10)
    assert torch.equal(count, expected)
    assert count.tolist() == [1, 1, 1, 2, 1, 1, 1, 1, 1, 2]  # by hand: 0.35 in bin 3, 0.999 in 9
    one = calibration_bins(_rows_with_confidence([0.3], dtype), torch.tensor([0]), num_bins=10)
    assert one[2].nonzero().item() == 2


def test_ece_is_zero_for_a_calibrated_model_and_large_for_an_overconfident_one():
    # every prediction says 0.75 and exactly 3 of every 4 are right
    P = torch.tensor([[0.75, 0.25]] * 400)
    y = torch.tensor([0, 0, 0, 1] * 100)
    assert expected_calibration_error(P, y) == pytest.approx(0.0, abs=1e-6)
    P_sure = torch.tensor([[1.0, 0.0]] * 400)
    assert expected_calibration_error(P_sure, y) == pytest.approx(0.25, abs=1e-6)


@pytest.mark.parametrize(
    ("Y_hat", "y", "kwargs", "error", "match"),
    [
        (torch.tensor([[0.5, 0.6]]), torch.tensor([0]), {}, ValueError,
         r"Y_hat must sum to 1 .* off by 0.1 \(apply softmax to logits first\)"),
        (torch.tensor([[1.5, -0.5]]), torch.tensor([0]), {}, ValueError,
         r"Y_hat must hold probabilities in \[0, 1\], got 1.5"),
        (torch.tensor([[0.5, 0.5]]), torch.tensor([0]), {"num_bins": 0}, ValueError, "num_bins"),
        (torch.tensor([[0.5, 0.5]]), torch.tensor([0, 1]), {}, ValueError, "y must have shape"),
        (torch.zeros(0, 2), torch.zeros(0, dtype=torch.int64), {}, ValueError, "y is empty"),
        (torch.tensor([1, 0]), torch.tensor([0]), {}, TypeError, "Y_hat must be a floating"),
    ],
)
def test_calibration_bad_input(Y_hat, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        calibration_bins(Y_hat, y, **kwargs)
    with pytest.raises(error, match=match):
        expected_calibration_error(Y_hat, y, **kwargs)
