"""The notes' recipe (d2l's chapter-3 code), written out for the benchmarks.

A torchvision ``FashionMNIST`` dataset with ``ToTensor()``, read through a
``DataLoader`` with worker processes, and the d2l training loop: a Python-float
``Accumulator`` that reads every minibatch's loss and accuracy back as Python
numbers. Only the benchmarks use this file; the course's own code is
``lesson_utils``.
"""

from __future__ import annotations

import os

import torch
import torchvision
from torch import nn
from torch.utils import data
from torchvision import transforms

from lesson_utils import fashion_mnist_root


def notes_workers() -> int:
    """d2l's ``get_dataloader_workers()`` returns 4; never more than the CPUs."""
    return min(4, os.cpu_count() or 1)


def notes_loaders(batch_size: int, num_workers: int):
    root = fashion_mnist_root()
    trans = transforms.ToTensor()
    train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans)
    test = torchvision.datasets.FashionMNIST(root=root, train=False, transform=trans)
    return (data.DataLoader(train, batch_size, shuffle=True, num_workers=num_workers),
            data.DataLoader(test, batch_size, shuffle=False, num_workers=num_workers))


class NotesAccumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args, strict=True)]

    def __getitem__(self, idx):
        return self.data[idx]


def notes_accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def notes_evaluate_accuracy(net, data_iter):
    if isinstance(net, nn.Module):
        net.eval()
    metric = NotesAccumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(notes_accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def notes_train_epoch(net, train_iter, loss, updater):
    if isinstance(net, nn.Module):
        net.train()
    metric = NotesAccumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), notes_accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def notes_train(net, train_iter, test_iter, loss, num_epochs, updater):
    for _ in range(num_epochs):
        notes_train_epoch(net, train_iter, loss, updater)
    return notes_evaluate_accuracy(net, test_iter)
