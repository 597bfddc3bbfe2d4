"""Training softmax regression: the accumulator, evaluation, SGD and the loop.

These are the notes' ``Accumulator``, ``evaluate_accuracy``, ``sgd``,
``train_epoch_ch3`` and ``train_ch3``, written once and tested. Chapter
``08_softmax_scratch`` builds each of them in front of the reader; chapters
``09_softmax_concise`` and ``10_evaluating`` use them.

Speed: running sums stay on the device as tensors and are read once per epoch,
so a GPU is not made to wait for the CPU after every minibatch.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from numbers import Real
from typing import TextIO

import torch
from torch import nn

from ._validation import check_positive_int
from .metrics import _num_correct
from .plotting import TrainingPlot, plot_context
from .runtime import default_device

__all__ = ["Accumulator", "evaluate_accuracy", "sgd", "train_epoch", "train", "TrainingHistory"]

Updater = torch.optim.Optimizer | Callable[[int], object]


class Accumulator:
    """Running sums of ``n`` quantities, e.g. (loss sum, number correct, examples).

    Values may be Python numbers or one-element tensors. Tensors are summed
    where they live (on the GPU, say) and turned into a Python float only when
    an entry is read, so adding does not wait for the device.

    Parameters
    ----------
    n : int
        Number of quantities.

    Examples
    --------
    >>> metric = Accumulator(2)
    >>> metric.add(3, torch.tensor(4.0))
    >>> metric.add(1, 2)
    >>> metric[0], metric[1]
    (4.0, 6.0)
    >>> metric.reset(); metric[1]
    0.0

    Used in chapter ``08_softmax_scratch``.
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

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"Accumulator({[float(v) for v in self.data]})"


def _model_device(net: object) -> torch.device | None:
    """Where a model's parameters live (a Module, or an object with ``params``)."""
    params = net.parameters() if isinstance(net, nn.Module) else getattr(net, "params", None)
    if params is None:
        return None
    first = next(iter(params), None)
    return first.device if isinstance(first, torch.Tensor) else None


def _to(batch: object, device: torch.device | None, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2
            and all(isinstance(t, torch.Tensor) for t in batch)):
        raise TypeError(f"{name} must yield pairs (X, y) of tensors, got {type(batch).__name__}")
    X, y = batch
    if device is not None:
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
    return X, y


def evaluate_accuracy(net: Callable[[torch.Tensor], torch.Tensor],
                      data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Accuracy of ``net`` over every minibatch of ``data_iter``.

    An ``nn.Module`` is put in evaluation mode for the pass (and back in the
    mode it was in afterwards); no gradients are recorded.

    Parameters
    ----------
    net : callable
        Maps X of shape (n, ...) to scores of shape (n, q).
    data_iter : iterable of (X, y)
        y int64 of shape (n,).

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> net = lambda X: torch.stack([X[:, 0], -X[:, 0]], dim=1)  # class 0 when x > 0
    >>> batches = [(torch.tensor([[1.0], [-2.0]]), torch.tensor([0, 1])),
    ...            (torch.tensor([[3.0]]), torch.tensor([1]))]
    >>> round(evaluate_accuracy(net, batches), 4)
    0.6667

    Used from chapter ``08_softmax_scratch`` on.
    """
    if not callable(net):
        raise TypeError(f"net must be callable, got {type(net).__name__}")
    was_training = net.training if isinstance(net, nn.Module) else None
    if was_training:
        net.eval()
    device = _model_device(net)
    metric = Accumulator(2)  # number correct, number of examples
    try:
        with torch.no_grad():
            for batch in data_iter:
                X, y = _to(batch, device, "data_iter")
                metric.add(_num_correct(net(X), y), y.numel())
    finally:
        if was_training:
            net.train()
    if metric[1] == 0:
        raise ValueError("data_iter yielded no examples: nothing to evaluate")
    return metric[0] / metric[1]


def _check_lr(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, Real):
        raise TypeError(f"lr must be a number, got {type(lr).__name__}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr}")
    return float(lr)


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """One minibatch SGD step in place: ``p -= lr * p.grad / batch_size``, then zero the grads.

    The loss was *summed* over the minibatch before ``backward()``, so
    dividing by ``batch_size`` makes the step use the mean gradient; with a
    mean loss this equals ``torch.optim.SGD(params, lr).step()``.

    Parameters
    ----------
    params : iterable of tensors
        Leaf tensors with ``requires_grad=True`` whose ``.grad`` is set.
    lr : float
        Learning rate, > 0.
    batch_size : int
        Number of examples the summed loss covered, > 0.

    Examples
    --------
    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> (3 * w).sum().backward()  # gradient 3 for both entries
    >>> sgd([w], lr=0.1, batch_size=3)
    >>> w.detach(), w.grad
    (tensor([0.9000, 1.9000]), tensor([0., 0.]))

    Used in chapter ``08_softmax_scratch``.
    """
    lr = _check_lr(lr)
    batch_size = check_positive_int(batch_size, "batch_size")
    if isinstance(params, torch.Tensor):
        raise TypeError("params must be an iterable of tensors, e.g. [W, b], not one tensor")
    params = list(params)
    if not params:
        raise ValueError("params is empty: nothing to update")
    for i, param in enumerate(params):  # check all before changing any
        if not isinstance(param, torch.Tensor):
            raise TypeError(f"params[{i}] must be a tensor, got {type(param).__name__}")
        if not param.requires_grad:
            raise ValueError(f"params[{i}] does not require grad; create it with "
                             "requires_grad=True")
        if param.grad is None:
            raise ValueError(f"params[{i}] has no gradient: call backward() on the loss "
                             "before sgd")
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def _summed_loss(l: object, n: int) -> torch.Tensor:
    """The minibatch's summed loss from per-example losses (n,) or a mean (scalar)."""
    if not isinstance(l, torch.Tensor):
        raise TypeError(f"loss must return a tensor, got {type(l).__name__}")
    if l.ndim == 0:  # a reduction="mean" loss such as nn.CrossEntropyLoss()
        return l * n
    if l.shape != (n,):
        raise ValueError(f"loss must return per-example losses of shape ({n},) or a scalar "
                         f"mean, got shape {tuple(l.shape)}")
    return l.sum()


def _check_updater(updater: object) -> bool:
    """True for a torch optimizer, False for a from-scratch updater(batch_size)."""
    if isinstance(updater, torch.optim.Optimizer):
        return True
    if not callable(updater):
        raise TypeError("updater must be a torch.optim.Optimizer or a callable "
                        f"updater(batch_size), got {type(updater).__name__}")
    return False


def train_epoch(net: Callable[[torch.Tensor], torch.Tensor],
                train_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
                loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                updater: Updater) -> tuple[float, float]:
    """Train for one epoch (one pass over ``train_iter``).

    Per minibatch: ``y_hat = net(X)``, ``l = loss(y_hat, y)``, then an update.
    With a ``torch.optim.Optimizer`` the *mean* loss is back-propagated and
    ``step()`` taken; with a from-scratch ``updater(batch_size)`` the *summed*
    loss is back-propagated and the updater divides by the batch size (see
    :func:`sgd`). Both take the same step.

    Parameters
    ----------
    net : callable
        Maps X of shape (n, ...) to scores of shape (n, q); an ``nn.Module``
        is put in training mode.
    train_iter : iterable of (X, y)
    loss : callable
        ``loss(y_hat, y)`` returns per-example losses of shape (n,) or their mean.
    updater : torch.optim.Optimizer or callable
        An optimizer, or ``updater(batch_size)`` that updates the parameters.

    Returns
    -------
    (mean training loss, training accuracy) : tuple of float
        Averaged over the examples seen during the epoch, with the parameters
        as they were when each minibatch was seen.

    Examples
    --------
    >>> torch.manual_seed(0) and None
    >>> X = torch.randn(64, 2); y = (X[:, 0] > 0).long()
    >>> net = nn.Linear(2, 2)
    >>> loss = nn.CrossEntropyLoss(reduction="none")
    >>> updater = torch.optim.SGD(net.parameters(), lr=0.5)
    >>> losses = [train_epoch(net, [(X, y)] * 10, loss, updater)[0] for _ in range(3)]
    >>> losses[2] < losses[0]
    True

    Used in chapter ``08_softmax_scratch``.
    """
    if not callable(net):
        raise TypeError(f"net must be callable, got {type(net).__name__}")
    if not callable(loss):
        raise TypeError(f"loss must be callable, got {type(loss).__name__}")
    is_optimizer = _check_updater(updater)
    if isinstance(net, nn.Module):
        net.train()
    device = _model_device(net)
    metric = Accumulator(3)  # summed loss, number correct, number of examples
    for batch in train_iter:
        X, y = _to(batch, device, "train_iter")
        n = y.shape[0]
        y_hat = net(X)
        l_sum = _summed_loss(loss(y_hat, y), n)
        if is_optimizer:
            updater.zero_grad()
            (l_sum / n).backward()
            updater.step()
        else:
            l_sum.backward()
            updater(n)
        metric.add(l_sum, _num_correct(y_hat.detach(), y), n)
    if metric[2] == 0:
        raise ValueError("train_iter yielded no examples: nothing to train on")
    return metric[0] / metric[2], metric[1] / metric[2]


@dataclass
class TrainingHistory:
    """What :func:`train` measured, one entry per epoch.

    Attributes
    ----------
    train_loss : list of float
        Mean training loss over each epoch.
    train_acc : list of float
        Training accuracy over each epoch (measured while training).
    test_acc : list of float
        Test accuracy after each epoch.
    seconds : list of float
        Wall-clock time of each epoch, evaluation included.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        """The epoch numbers 1, 2, ..., as plotted."""
        return list(range(1, len(self.train_loss) + 1))

    def __len__(self) -> int:
        return len(self.train_loss)


class _ProgressLine:
    """A one-line progress bar on stderr, for terminals and logs (no dependency).

    On a terminal the line is redrawn in place (at most ten times a second);
    elsewhere (a log file, CI) only one finished line per epoch is written.
    """

    def __init__(self, num_epochs: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.num_epochs = num_epochs
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())
        self._last = 0.0

    def _bar(self, done: int, total: int) -> str:
        filled = self.width if total <= 0 else int(self.width * done / total)
        return "#" * filled + "." * (self.width - filled)

    def wrap(self, epoch: int, batches: Iterable) -> Iterator:
        """Yield the batches, redrawing the bar as they go by."""
        total = len(batches) if hasattr(batches, "__len__") else 0
        for i, batch in enumerate(batches, start=1):
            yield batch
            now = time.perf_counter()
            if self.interactive and (now - self._last > 0.1 or i == total):
                self._last = now
                count = f"{i}/{total}" if total else f"{i}"
                self.stream.write(f"\repoch {epoch:>{len(str(self.num_epochs))}}/"
                                  f"{self.num_epochs} |{self._bar(i, total)}| {count} batches")
                self.stream.flush()

    def end_epoch(self, epoch: int, history: TrainingHistory) -> None:
        line = (f"epoch {epoch:>{len(str(self.num_epochs))}}/{self.num_epochs} "
                f"|{self._bar(epoch, self.num_epochs)}| "
                f"loss {history.train_loss[-1]:.4f}, train acc {history.train_acc[-1]:.4f}, "
                f"test acc {history.test_acc[-1]:.4f} ({history.seconds[-1]:.2f} s)")
        prefix = "\r\033[K" if self.interactive else ""  # clear the batch bar
        self.stream.write(prefix + line + "\n")
        self.stream.flush()


def train(net: Callable[[torch.Tensor], torch.Tensor],
          train_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
          test_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
          loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
          num_epochs: int, updater: Updater, *,
          plot: bool | TrainingPlot = True, progress: bool | None = None,
          device: torch.device | str | None = None) -> TrainingHistory:
    """Train for ``num_epochs`` epochs, evaluating on ``test_iter`` after each.

    The notes' ``train_ch3``: :func:`train_epoch`, then
    :func:`evaluate_accuracy` on the test data, plotted as it goes.

    Parameters
    ----------
    net : callable
        An ``nn.Module`` (moved to ``device``) or a from-scratch model whose
        parameters already live where the batches are.
    train_iter, test_iter : iterable of (X, y)
    loss : callable
        ``loss(y_hat, y)``, per-example losses of shape (n,) or their mean.
    num_epochs : int
        > 0.
    updater : torch.optim.Optimizer or callable ``updater(batch_size)``
    plot : bool or TrainingPlot
        ``True`` draws a new :class:`TrainingPlot` of train loss, train
        accuracy and test accuracy (live in a notebook, one static figure when
        the book is built, nothing shown in a script); pass your own
        ``TrainingPlot`` to save it afterwards, or ``False`` for none.
    progress : bool, optional
        A progress bar on stderr. By default shown outside notebooks only
        (where the plot is the progress).
    device : torch.device or str, optional
        Where an ``nn.Module`` goes; default :func:`default_device`.

    Returns
    -------
    TrainingHistory
        Per-epoch ``train_loss``, ``train_acc``, ``test_acc`` and ``seconds``.

    Raises
    ------
    FloatingPointError
        When the training loss of an epoch is not finite (the parameters have
        diverged, typically because ``lr`` is too large).

    Examples
    --------
    >>> torch.manual_seed(0) and None
    >>> X = torch.randn(64, 2); y = (X[:, 0] > 0).long()
    >>> net = nn.Linear(2, 2)
    >>> history = train(net, [(X, y)] * 5, [(X, y)], nn.CrossEntropyLoss(), 3,
    ...                 torch.optim.SGD(net.parameters(), lr=0.5), plot=False, device="cpu")
    >>> len(history), history.test_acc[-1] > 0.9
    (3, True)

    Used in chapters ``08_softmax_scratch`` to ``10_evaluating``.
    """
    num_epochs = check_positive_int(num_epochs, "num_epochs")
    if not callable(net):
        raise TypeError(f"net must be callable, got {type(net).__name__}")
    if not callable(loss):
        raise TypeError(f"loss must be callable, got {type(loss).__name__}")
    _check_updater(updater)
    if isinstance(plot, bool):
        figure = TrainingPlot(num_epochs) if plot else None
    elif callable(getattr(plot, "add", None)) and callable(getattr(plot, "finish", None)):
        if len(getattr(plot, "legend", ())) != 3:
            raise ValueError("plot must have three curves (train loss, train acc, test acc), "
                             f"got legend {getattr(plot, 'legend', None)}")
        figure = plot
    else:
        raise TypeError(f"plot must be a bool or a TrainingPlot, got {type(plot).__name__}")
    if progress is None:
        progress = plot_context() == "script"
    bar = _ProgressLine(num_epochs) if progress else None
    if isinstance(net, nn.Module):
        net.to(default_device() if device is None else torch.device(device))
    history = TrainingHistory()
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        batches = bar.wrap(epoch, train_iter) if bar else train_iter
        train_loss, train_acc = train_epoch(net, batches, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        history.test_acc.append(test_acc)
        history.seconds.append(time.perf_counter() - start)
        if not math.isfinite(train_loss):
            raise FloatingPointError(
                f"the training loss became {train_loss} in epoch {epoch}: the learning rate "
                "is probably too large (or the loss takes log of a zero probability)")
        if figure is not None:
            figure.add(epoch, (train_loss, train_acc, test_acc))
        if bar:
            bar.end_epoch(epoch, history)
    if figure is not None:
        figure.finish()
    return history
