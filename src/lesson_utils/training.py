"""Training softmax regression: minibatch SGD, one epoch, and the loop.

These are the notes' ``sgd``, ``train_epoch_ch3`` and ``train_ch3``, written
once and tested. Chapter ``08_softmax_scratch`` builds each of them in front of
the reader; chapters ``09_softmax_concise`` and ``10_evaluating`` use them.
:func:`train` trains and nothing else: the caller puts the model and the data
on a device, and draws or prints the history (``on_epoch``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn

from ._validation import (
    check_batch,
    check_callable,
    check_params,
    check_positive_int,
    check_positive_real,
)
from .metrics import Accumulator, _num_correct, evaluate_accuracy

__all__ = ["sgd", "train_epoch", "train", "TrainingHistory"]

_Updater = torch.optim.Optimizer | Callable[[int], object]


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """One minibatch SGD step in place: ``p -= lr * p.grad / batch_size``, then zero the grads.

    The loss was *summed* over the minibatch before ``backward()``, so
    dividing by ``batch_size`` makes the step use the mean gradient; with a
    mean loss this equals ``torch.optim.SGD(params, lr).step()``. ``params``
    are leaf tensors with ``requires_grad=True`` whose ``.grad`` is set. Used
    in chapter ``08_softmax_scratch``.

    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> (3 * w).sum().backward()  # gradient 3 for both entries
    >>> sgd([w], lr=0.1, batch_size=3)
    >>> w.detach(), w.grad
    (tensor([0.9000, 1.9000]), tensor([0., 0.]))
    """
    lr = check_positive_real(lr, "lr")
    batch_size = check_positive_int(batch_size, "batch_size")
    params = check_params(params)
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
                updater: _Updater) -> tuple[float, float]:
    """Train for one epoch; return (mean training loss, training accuracy) over it.

    Per minibatch ``(X, y)`` of ``train_iter``: ``y_hat = net(X)``, ``l =
    loss(y_hat, y)`` (per-example losses of shape (n,) or their mean), then an
    update. With a ``torch.optim.Optimizer`` the *mean* loss is back-propagated
    and ``step()`` taken; with a from-scratch ``updater(batch_size)`` the
    *summed* loss is back-propagated and the updater divides by the batch size
    (see :func:`sgd`). Both take the same step. An ``nn.Module`` is put in
    training mode. Loss and accuracy are averaged over the examples, with the
    parameters as they were when each minibatch was seen.

    >>> torch.manual_seed(0) and None
    >>> X = torch.randn(64, 2); y = (X[:, 0] > 0).long()
    >>> net = nn.Linear(2, 2)
    >>> loss = nn.CrossEntropyLoss(reduction="none")
    >>> updater = torch.optim.SGD(net.parameters(), lr=0.5)
    >>> losses = [train_epoch(net, [(X, y)] * 10, loss, updater)[0] for _ in range(3)]
    >>> losses[2] < losses[0]
    True
    """
    check_callable(net, "net")
    check_callable(loss, "loss")
    is_optimizer = _check_updater(updater)
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)  # summed loss, number correct, number of examples
    for batch in train_iter:
        X, y = check_batch(batch, "train_iter")
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

    ``train_loss`` and ``train_acc`` over each epoch (measured while
    training), ``test_acc`` after it, and ``seconds``, its wall-clock time,
    evaluation included.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.train_loss)


def train(net: Callable[[torch.Tensor], torch.Tensor],
          train_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
          test_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
          loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
          num_epochs: int, updater: _Updater, *, scheduler: object | None = None,
          on_epoch: Callable[[TrainingHistory], object] | None = None) -> TrainingHistory:
    """Train for ``num_epochs`` epochs, evaluating on ``test_iter`` after each.

    The notes' ``train_ch3``: :func:`train_epoch`, then
    :func:`evaluate_accuracy` on the test data, recorded in a
    :class:`TrainingHistory`. After each epoch, ``scheduler.step()`` (say,
    ``torch.optim.lr_scheduler.MultiStepLR(updater, [6, 10])``), then
    ``on_epoch(history)`` (say, :meth:`TrainingPlot.update`). Raises
    ``FloatingPointError`` when the training loss of an epoch is not finite
    (the parameters have diverged, typically because ``lr`` is too large).

    >>> torch.manual_seed(0) and None
    >>> X = torch.randn(64, 2); y = (X[:, 0] > 0).long()
    >>> net = nn.Linear(2, 2)
    >>> updater = torch.optim.SGD(net.parameters(), lr=0.5)
    >>> halve = torch.optim.lr_scheduler.StepLR(updater, step_size=1, gamma=0.5)
    >>> history = train(net, [(X, y)] * 5, [(X, y)], nn.CrossEntropyLoss(), 3, updater,
    ...                 scheduler=halve, on_epoch=lambda h: print(len(h), h.test_acc[-1] > 0.9))
    1 True
    2 True
    3 True
    >>> updater.param_groups[0]["lr"]  # 0.5 halved after each of the 3 epochs
    0.0625
    """
    num_epochs = check_positive_int(num_epochs, "num_epochs")
    if scheduler is not None:
        check_callable(getattr(scheduler, "step", None), "scheduler.step")
    if on_epoch is not None:
        check_callable(on_epoch, "on_epoch")
    history = TrainingHistory()
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        train_loss, train_acc = train_epoch(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        history.test_acc.append(test_acc)
        history.seconds.append(time.perf_counter() - start)
        if not math.isfinite(train_loss):
            raise FloatingPointError(
                f"the training loss became {train_loss} in epoch {epoch}: the learning rate "
                "is probably too large (or the loss takes log of a zero probability)")
        if scheduler is not None:
            scheduler.step()
        if on_epoch is not None:
            on_epoch(history)
    return history
