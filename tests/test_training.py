"""Tests of lesson_utils.training on tiny synthetic data.

Every from-scratch piece is compared with PyTorch's own: ``sgd`` with
``torch.optim.SGD``, the scratch training path with the optimizer path.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from tests.conftest import synthetic_batches
from torch import nn

from lesson_utils import (
    TrainingHistory,
    recipe,
    seed_everything,
    sgd,
    train,
    train_epoch,
)

# ------------------------------------------------------------------ sgd

def test_sgd_takes_the_same_step_as_torch_optim_sgd():
    torch.manual_seed(0)
    X, y = torch.randn(16, 5), torch.randint(0, 3, (16,))
    W1 = torch.randn(5, 3, requires_grad=True)
    b1 = torch.randn(3, requires_grad=True)
    W2, b2 = (t.detach().clone().requires_grad_() for t in (W1, b1))

    F.cross_entropy(X @ W1 + b1, y, reduction="sum").backward()  # summed loss ...
    sgd([W1, b1], lr=0.3, batch_size=16)  # ... divided by the batch size

    optimizer = torch.optim.SGD([W2, b2], lr=0.3)
    optimizer.zero_grad()
    F.cross_entropy(X @ W2 + b2, y).backward()  # mean loss
    optimizer.step()

    torch.testing.assert_close(W1, W2)
    torch.testing.assert_close(b1, b2)
    assert torch.count_nonzero(W1.grad) == 0 and torch.count_nonzero(b1.grad) == 0


def test_sgd_extreme_values():
    w = torch.tensor([1e30, -1e-30], requires_grad=True)
    w.sum().backward()
    sgd([w], lr=1e-6, batch_size=1)
    torch.testing.assert_close(w.detach(), torch.tensor([1e30, -1e-6]))


@pytest.mark.parametrize(
    ("lr", "batch_size", "error", "match"),
    [
        (0.0, 1, ValueError, "lr must be positive and finite, got 0.0"),
        (-0.1, 1, ValueError, "lr must be positive and finite"),
        (float("nan"), 1, ValueError, "lr must be positive and finite"),
        (float("inf"), 1, ValueError, "lr must be positive and finite"),
        ("0.1", 1, TypeError, "lr must be a real number, got str"),
        (True, 1, TypeError, "lr must be a real number, got bool"),
        (0.1, 0, ValueError, "batch_size must be positive, got 0"),
        (0.1, -3, ValueError, "batch_size must be positive"),
        (0.1, 2.5, TypeError, "batch_size must be an int, got float"),
        (0.1, True, TypeError, "batch_size must be an int, got bool"),
    ],
)
def test_sgd_bad_hyperparameters(lr, batch_size, error, match):
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    with pytest.raises(error, match=match):
        sgd([w], lr, batch_size)
    assert torch.equal(w.detach(), torch.ones(2))  # nothing changed


def test_sgd_accepts_numpy_numbers():
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    sgd([w], np.float32(0.5), np.int64(2))
    torch.testing.assert_close(w.detach(), torch.full((2,), 0.75))


def test_sgd_bad_params():
    with_grad = torch.ones(2, requires_grad=True)
    with_grad.sum().backward()
    no_grad_yet = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"params\[1\] has no gradient"):
        sgd([with_grad, no_grad_yet], 0.1, 1)
    assert torch.equal(with_grad.detach(), torch.ones(2))  # all checked before any change
    with pytest.raises(ValueError, match=r"params\[0\] has no gradient: create it with "
                                         "requires_grad=True"):
        sgd([torch.ones(2)], 0.1, 1)
    with pytest.raises(ValueError, match="params is empty"):
        sgd([], 0.1, 1)
    with pytest.raises(TypeError, match="params must be an iterable"):
        sgd(with_grad, 0.1, 1)
    with pytest.raises(TypeError, match=r"params\[0\] must be a torch.Tensor"):
        sgd([[1.0]], 0.1, 1)


# ------------------------------------------------------------------ train_epoch

def test_train_epoch_scratch_and_optimizer_paths_take_the_same_steps():
    """Same start, same batches: sgd + summed loss == torch.optim.SGD + mean loss."""
    seed_everything(0)
    model, loss, updater = recipe("scratch", lr=0.1)
    net, concise_loss, optimizer = recipe("concise", lr=0.1)
    with torch.no_grad():
        net[1].weight.copy_(model.W.T)
        net[1].bias.copy_(model.b)
    data = synthetic_batches(shuffle=False)
    scratch = train_epoch(model, data, loss, updater)
    concise = train_epoch(net, data, concise_loss, optimizer)
    assert scratch == pytest.approx(concise, abs=1e-5)
    torch.testing.assert_close(model.W.detach().T, net[1].weight.detach(), atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(model.b.detach(), net[1].bias.detach(), atol=1e-6, rtol=1e-5)


def test_train_epoch_returns_the_mean_loss_and_accuracy_of_the_epoch():
    torch.manual_seed(0)
    X, y = torch.randn(30, 4), torch.randint(0, 3, (30,))
    net = nn.Linear(4, 3)
    expected_loss = F.cross_entropy(net(X), y).item()
    expected_acc = (net(X).argmax(1) == y).float().mean().item()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-9)  # the model barely moves
    mean_loss, acc = train_epoch(net, [(X, y)], nn.CrossEntropyLoss(reduction="none"),
                                 optimizer)
    assert mean_loss == pytest.approx(expected_loss, rel=1e-6)
    assert acc == pytest.approx(expected_acc)


def test_train_epoch_accepts_a_mean_loss():
    torch.manual_seed(0)
    X, y = torch.randn(30, 4), torch.randint(0, 3, (30,))
    results = []
    for loss in (nn.CrossEntropyLoss(), nn.CrossEntropyLoss(reduction="none")):
        torch.manual_seed(1)
        net = nn.Linear(4, 3)
        results.append(train_epoch(net, [(X[:20], y[:20]), (X[20:], y[20:])], loss,
                                   torch.optim.SGD(net.parameters(), lr=0.5)))
    assert results[0] == pytest.approx(results[1])


class _ModeRecorder(nn.Linear):
    """A linear layer that records, per call, whether it was in training mode."""

    def __init__(self) -> None:
        super().__init__(2, 2)
        self.modes: list[bool] = []

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return super().forward(X)


def test_train_epoch_puts_a_module_in_training_mode():
    net = _ModeRecorder().eval()  # as evaluate_accuracy or a reader may leave it
    batch = (torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))
    train_epoch(net, [batch, batch], nn.CrossEntropyLoss(reduction="none"),
                torch.optim.SGD(net.parameters(), lr=0.1))
    assert net.modes == [True, True] and net.training


def test_train_epoch_bad_input():
    net = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss(reduction="none")
    batch = (torch.zeros(3, 2), torch.zeros(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="train_iter yielded no examples"):
        train_epoch(net, [], loss, optimizer)
    with pytest.raises(TypeError, match="updater must be a torch.optim.Optimizer"):
        train_epoch(net, [batch], loss, 0.1)
    with pytest.raises(TypeError, match="loss must be callable"):
        train_epoch(net, [batch], None, optimizer)
    with pytest.raises(ValueError, match=r"loss must return per-example losses of shape \(3,\)"):
        train_epoch(net, [batch], lambda y_hat, y: torch.zeros(3, 1), optimizer)
    with pytest.raises(TypeError, match="loss must return a tensor"):
        train_epoch(net, [batch], lambda y_hat, y: 0.5, optimizer)
    with pytest.raises(ValueError, match=r"n = 2 labels, got \(3, 2\)"):
        train_epoch(net, [(torch.zeros(3, 2), torch.zeros(2, dtype=torch.int64))],
                    lambda y_hat, y: y_hat.sum(), optimizer)


# ------------------------------------------------------------------ train

def test_train_learns_and_returns_the_history():
    seed_everything(0)
    model, loss, updater = recipe("scratch", lr=0.5)
    history = train(model, synthetic_batches(), synthetic_batches(shuffle=False, seed=1),
                    loss, 4, updater)
    assert isinstance(history, TrainingHistory)
    assert len(history) == 4
    for values in (history.train_loss, history.train_acc, history.test_acc, history.seconds):
        assert len(values) == 4
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_acc[-1] > 0.9  # the synthetic classes are easy


def test_train_records_each_epochs_duration(monkeypatch):
    """seconds holds each epoch's duration (training and evaluation), not a clock reading."""
    from lesson_utils import training

    clock = iter(range(0, 1000, 5))  # each perf_counter() call is 5 s later than the last
    fake_time = SimpleNamespace(perf_counter=lambda: float(next(clock)))
    monkeypatch.setattr(training, "time", fake_time)  # training's clock only, not pytest's
    seed_everything(0)
    model, loss, updater = recipe("scratch", lr=0.5)
    history = train(model, synthetic_batches(n=40), synthetic_batches(n=20, shuffle=False),
                    loss, 3, updater)
    assert history.seconds == [5.0, 5.0, 5.0]


def test_train_is_reproducible_with_the_same_seed():
    def run(seed):
        seed_everything(seed)
        net, loss, updater = recipe("concise")
        return train(net, synthetic_batches(), synthetic_batches(shuffle=False, seed=1),
                     loss, 3, updater)

    first, second, other = run(0), run(0), run(1)
    assert first.train_loss == second.train_loss  # exactly, not approximately
    assert first.train_acc == second.train_acc
    assert first.test_acc == second.test_acc
    assert first.train_loss != other.train_loss


def test_train_steps_the_scheduler_after_every_epoch_then_calls_on_epoch():
    net, loss, updater = recipe("concise", lr=0.4)
    schedule = torch.optim.lr_scheduler.MultiStepLR(updater, milestones=[1, 2], gamma=0.5)
    seen = []

    def on_epoch(history):
        seen.append((len(history), history.test_acc[-1], updater.param_groups[0]["lr"]))

    history = train(net, synthetic_batches(), synthetic_batches(shuffle=False), loss, 3,
                    updater, scheduler=schedule, on_epoch=on_epoch)
    assert [(epoch, lr) for epoch, _, lr in seen] == [(1, 0.2), (2, 0.1), (3, 0.1)]
    assert [acc for _, acc, _ in seen] == history.test_acc


def test_train_with_a_schedule_equals_training_in_parts():
    """Chapter 10's improved model: one call with a scheduler, not a loop of calls."""
    def model():
        seed_everything(0)
        net, loss, _ = recipe("concise")
        return net, loss, torch.optim.Adam(net.parameters(), lr=1e-2)

    net, loss, updater = model()
    factor = torch.optim.lr_scheduler.LambdaLR(updater, lambda epoch: 1.0 if epoch < 2 else 0.1)
    seed_everything(1)
    once = train(net, synthetic_batches(), synthetic_batches(shuffle=False), loss, 3, updater,
                 scheduler=factor)
    parts_net, loss, updater = model()
    seed_everything(1)
    parts = []
    for lr, epochs in [(1e-2, 2), (1e-3, 1)]:
        updater.param_groups[0]["lr"] = lr
        parts += train(parts_net, synthetic_batches(), synthetic_batches(shuffle=False), loss,
                       epochs, updater).train_loss
    assert once.train_loss == pytest.approx(parts, rel=1e-6)
    torch.testing.assert_close(net[1].weight, parts_net[1].weight)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_epochs": 0}, ValueError, "num_epochs must be positive"),
        ({"num_epochs": -2}, ValueError, "num_epochs must be positive"),
        ({"num_epochs": 1.5}, TypeError, "num_epochs must be an int"),
        ({"updater": "sgd"}, TypeError, "updater must be"),
        ({"loss": 3}, TypeError, "loss must be callable"),
        ({"net": None}, TypeError, "net must be callable"),
        ({"scheduler": "step"}, TypeError, "scheduler.step must be callable"),
        ({"on_epoch": "plot"}, TypeError, "on_epoch must be callable"),
        ({"train_iter": []}, ValueError, "train_iter yielded no examples"),
        ({"test_iter": []}, ValueError, "data_iter yielded no examples"),
    ],
)
def test_train_bad_input(kwargs, error, match):
    net = nn.Linear(2, 2)
    batch = (torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))
    arguments = {"net": net, "train_iter": [batch], "test_iter": [batch],
                 "loss": nn.CrossEntropyLoss(reduction="none"), "num_epochs": 1,
                 "updater": torch.optim.SGD(net.parameters(), lr=0.1)} | kwargs
    with pytest.raises(error, match=match):
        train(**arguments)


def test_train_stops_when_the_loss_diverges():
    seed_everything(0)
    model, loss, updater = recipe("scratch", lr=1e6)
    reported = []
    with pytest.raises(FloatingPointError, match="learning rate"):
        train(model, synthetic_batches(), synthetic_batches(), loss, 3, updater,
              on_epoch=lambda history: reported.append(history.train_loss[-1]))
    assert all(math.isfinite(value) for value in reported)  # the diverged epoch is not passed on
