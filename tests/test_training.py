"""Tests of lesson_utils.training and lesson_utils.models on tiny synthetic data.

Every from-scratch piece is compared with PyTorch's own: ``sgd`` with
``torch.optim.SGD``, the scratch model with ``nn.Linear`` + ``F.softmax``,
the scratch training path with the optimizer path.
"""

from __future__ import annotations

import io

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lesson_utils import (
    Accumulator,
    SoftmaxRegressionScratch,
    TrainingHistory,
    cross_entropy,
    evaluate_accuracy,
    seed_everything,
    sgd,
    softmax_regression,
    train,
    train_epoch,
)
from lesson_utils.data import FashionMNISTBatches
from lesson_utils.training import _ProgressLine

CPU = torch.device("cpu")


def synthetic_batches(n: int = 240, batch_size: int = 32, shuffle: bool = True,
                      seed: int = 0) -> FashionMNISTBatches:
    """A learnable 28x28, 10-class problem served by the package's own iterator
    (so shuffling uses the global generator exactly as with Fashion-MNIST)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    images = torch.randint(0, 80, (n, 28, 28), generator=g, dtype=torch.uint8)
    for k in range(10):  # class k lights up row 2k + 4
        images[labels == k, 2 * k + 4, :] = 255
    return FashionMNISTBatches(images, labels, batch_size, shuffle, None, CPU)


def scratch_recipe(lr: float = 0.1):
    model = SoftmaxRegressionScratch(device=CPU)
    return model, cross_entropy, lambda batch_size: sgd(model.params, lr, batch_size)


# ------------------------------------------------------------------ Accumulator

def test_accumulator_sums_numbers_and_tensors():
    metric = Accumulator(3)
    metric.add(1, 2.5, torch.tensor(3))
    metric.add(torch.tensor([1.0]), 0.5, 4)
    assert [metric[i] for i in range(3)] == [2.0, 3.0, 7.0]
    assert len(metric) == 3
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
        (0.0, 1, ValueError, "lr must be a positive"),
        (-0.1, 1, ValueError, "lr must be a positive"),
        (float("nan"), 1, ValueError, "lr must be a positive"),
        (float("inf"), 1, ValueError, "lr must be a positive"),
        ("0.1", 1, TypeError, "lr must be a number"),
        (True, 1, TypeError, "lr must be a number"),
        (0.1, 0, ValueError, "batch_size must be positive"),
        (0.1, -3, ValueError, "batch_size must be positive"),
        (0.1, 2.5, TypeError, "batch_size must be an int"),
    ],
)
def test_sgd_bad_hyperparameters(lr, batch_size, error, match):
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    with pytest.raises(error, match=match):
        sgd([w], lr, batch_size)
    assert torch.equal(w.detach(), torch.ones(2))  # nothing changed


def test_sgd_bad_params():
    with_grad = torch.ones(2, requires_grad=True)
    with_grad.sum().backward()
    no_grad_yet = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"params\[1\] has no gradient"):
        sgd([with_grad, no_grad_yet], 0.1, 1)
    assert torch.equal(with_grad.detach(), torch.ones(2))  # all checked before any change
    with pytest.raises(ValueError, match=r"params\[0\] does not require grad"):
        sgd([torch.ones(2)], 0.1, 1)
    with pytest.raises(ValueError, match="params is empty"):
        sgd([], 0.1, 1)
    with pytest.raises(TypeError, match="params must be an iterable"):
        sgd(with_grad, 0.1, 1)
    with pytest.raises(TypeError, match=r"params\[0\] must be a tensor"):
        sgd([[1.0]], 0.1, 1)


# ------------------------------------------------------------------ evaluate_accuracy

def test_evaluate_accuracy_matches_a_manual_count_and_restores_the_mode():
    torch.manual_seed(0)
    data = synthetic_batches(shuffle=False)
    net = softmax_regression(device=CPU)
    correct = sum(int((net(X).argmax(1) == y).sum()) for X, y in data)
    net.train()
    assert evaluate_accuracy(net, data) == pytest.approx(correct / data.num_examples)
    assert net.training
    net.eval()
    evaluate_accuracy(net, data)
    assert not net.training


def test_evaluate_accuracy_of_a_scratch_model_and_of_a_list():
    torch.manual_seed(0)
    model = SoftmaxRegressionScratch(device=CPU)
    X = torch.rand(10, 1, 28, 28)
    y = model(X).argmax(1)
    assert evaluate_accuracy(model, [(X, y)]) == 1.0
    assert not model.W.grad  # no gradient was recorded


def test_evaluate_accuracy_bad_input():
    net = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="data_iter yielded no examples"):
        evaluate_accuracy(net, [])
    with pytest.raises(TypeError, match="data_iter must yield pairs"):
        evaluate_accuracy(net, [torch.zeros(2, 2)])
    with pytest.raises(ValueError, match="Y_hat has 2 rows but y has 3"):
        evaluate_accuracy(net, [(torch.zeros(2, 2), torch.zeros(3, dtype=torch.int64))])
    with pytest.raises(TypeError, match="net must be callable"):
        evaluate_accuracy("net", [])


# ------------------------------------------------------------------ models

def test_scratch_model_matches_nn_linear_and_softmax():
    seed_everything(0)
    model = SoftmaxRegressionScratch(device=CPU)
    assert model.W.shape == (784, 10) and model.b.shape == (10,)
    assert model.W.std().item() == pytest.approx(0.01, rel=0.05)
    assert torch.equal(model.b, torch.zeros(10))
    linear = nn.Linear(784, 10)
    with torch.no_grad():
        linear.weight.copy_(model.W.T)
        linear.bias.copy_(model.b)
    X = torch.rand(7, 1, 28, 28)
    torch.testing.assert_close(model(X), F.softmax(linear(X.flatten(1)), dim=1))


def test_concise_model_shape_and_init():
    seed_everything(0)
    net = softmax_regression(device=CPU)
    assert isinstance(net[0], nn.Flatten) and isinstance(net[1], nn.Linear)
    assert net[1].weight.shape == (10, 784)
    assert net[1].weight.std().item() == pytest.approx(0.01, rel=0.05)
    assert sum(p.numel() for p in net.parameters()) == 7850


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_inputs": 0}, ValueError, "num_inputs must be positive"),
        ({"num_outputs": -1}, ValueError, "num_outputs must be positive"),
        ({"sigma": 0}, ValueError, "sigma must be a positive"),
        ({"sigma": "0.01"}, ValueError, "sigma must be a positive"),
    ],
)
def test_models_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        SoftmaxRegressionScratch(device=CPU, **kwargs)
    with pytest.raises(error, match=match):
        softmax_regression(device=CPU, **kwargs)


# ------------------------------------------------------------------ train_epoch

def test_train_epoch_scratch_and_optimizer_paths_take_the_same_steps():
    """Same start, same batches: sgd + summed loss == torch.optim.SGD + mean loss."""
    seed_everything(0)
    model, loss, updater = scratch_recipe(lr=0.1)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with torch.no_grad():
        net[1].weight.copy_(model.W.T)
        net[1].bias.copy_(model.b)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    data = synthetic_batches(shuffle=False)
    scratch = train_epoch(model, data, loss, updater)
    concise = train_epoch(net, data, nn.CrossEntropyLoss(reduction="none"), optimizer)
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
    with pytest.raises(ValueError, match="Y_hat has 3 rows but y has 2"):
        train_epoch(net, [(torch.zeros(3, 2), torch.zeros(2, dtype=torch.int64))],
                    lambda y_hat, y: y_hat.sum(), optimizer)


# ------------------------------------------------------------------ train

def test_train_learns_and_returns_the_history():
    seed_everything(0)
    model, loss, updater = scratch_recipe(lr=0.5)
    history = train(model, synthetic_batches(), synthetic_batches(shuffle=False, seed=1),
                    loss, 4, updater, plot=False, progress=False)
    assert isinstance(history, TrainingHistory)
    assert len(history) == 4 and history.epochs == [1, 2, 3, 4]
    for values in (history.train_loss, history.train_acc, history.test_acc, history.seconds):
        assert len(values) == 4
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_acc[-1] > 0.9  # the synthetic classes are easy


def test_train_is_reproducible_with_the_same_seed():
    def run(seed):
        seed_everything(seed)
        net = softmax_regression(device=CPU)
        return train(net, synthetic_batches(), synthetic_batches(shuffle=False, seed=1),
                     nn.CrossEntropyLoss(reduction="none"), 3,
                     torch.optim.SGD(net.parameters(), lr=0.1), plot=False, progress=False)

    first, second, other = run(0), run(0), run(1)
    assert first.train_loss == second.train_loss  # exactly, not approximately
    assert first.train_acc == second.train_acc
    assert first.test_acc == second.test_acc
    assert first.train_loss != other.train_loss


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_epochs": 0}, ValueError, "num_epochs must be positive"),
        ({"num_epochs": -2}, ValueError, "num_epochs must be positive"),
        ({"num_epochs": 1.5}, TypeError, "num_epochs must be an int"),
        ({"updater": "sgd"}, TypeError, "updater must be"),
        ({"loss": 3}, TypeError, "loss must be callable"),
        ({"net": None}, TypeError, "net must be callable"),
        ({"plot": "yes"}, TypeError, "plot must be a bool or a TrainingPlot"),
        ({"train_iter": []}, ValueError, "train_iter yielded no examples"),
        ({"test_iter": []}, ValueError, "data_iter yielded no examples"),
    ],
)
def test_train_bad_input(kwargs, error, match):
    net = nn.Linear(2, 2)
    batch = (torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))
    arguments = {"net": net, "train_iter": [batch], "test_iter": [batch],
                 "loss": nn.CrossEntropyLoss(reduction="none"), "num_epochs": 1,
                 "updater": torch.optim.SGD(net.parameters(), lr=0.1)}
    arguments.update({"plot": False, "progress": False, "device": "cpu"})
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        train(**arguments)


def test_train_stops_when_the_loss_diverges():
    seed_everything(0)
    model, loss, updater = scratch_recipe(lr=1e6)
    with pytest.raises(FloatingPointError, match="learning rate"):
        train(model, synthetic_batches(), synthetic_batches(), loss, 3, updater,
              plot=False, progress=False)


def test_train_moves_a_module_to_the_device():
    net = nn.Linear(2, 2).to(torch.float32)
    batch = (torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))
    train(net, [batch], [batch], nn.CrossEntropyLoss(), 1,
          torch.optim.SGD(net.parameters(), lr=0.1), plot=False, progress=False, device="cpu")
    assert net.weight.device.type == "cpu"


def test_progress_line_in_a_log_and_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    history = TrainingHistory([0.5], [0.8], [0.75], [1.25])
    log = io.StringIO()
    bar = _ProgressLine(10, stream=log)
    assert list(bar.wrap(1, [1, 2, 3])) == [1, 2, 3]
    bar.end_epoch(1, history)
    assert log.getvalue() == ("epoch  1/10 |##......................| loss 0.5000, "
                              "train acc 0.8000, test acc 0.7500 (1.25 s)\n")
    terminal = Terminal()
    bar = _ProgressLine(2, stream=terminal)
    list(bar.wrap(1, [1, 2, 3, 4]))
    bar.end_epoch(1, history)
    text = terminal.getvalue()
    assert "\repoch 1/2 |" in text and "4/4 batches" in text and text.endswith("(1.25 s)\n")


def test_train_prints_progress_outside_notebooks(capsys, monkeypatch):
    monkeypatch.delenv("LESSON_PLOT", raising=False)
    net = nn.Linear(2, 2)
    batch = (torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))
    train(net, [batch], [batch], nn.CrossEntropyLoss(), 2,
          torch.optim.SGD(net.parameters(), lr=0.1), plot=False, device="cpu")
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "epoch 2/2" in err and "test acc" in err
    train(net, [batch], [batch], nn.CrossEntropyLoss(), 1,
          torch.optim.SGD(net.parameters(), lr=0.1), plot=False, progress=False, device="cpu")
    assert capsys.readouterr().err == ""
