"""The two softmax-regression models of the course, ready made, and their recipes.

:class:`SoftmaxRegressionScratch` is the model chapter ``08_softmax_scratch``
writes by hand; :func:`softmax_regression` is the ``nn.Sequential`` of chapter
``09_softmax_concise``. :func:`recipe` pairs each with its loss and updater;
the command line, the benchmarks and the tests build their runs with it, so
that every run uses the same recipe.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ._validation import check_positive_int, check_positive_real
from .functional import cross_entropy, softmax
from .training import sgd

__all__ = ["SoftmaxRegressionScratch", "softmax_regression", "recipe"]


class SoftmaxRegressionScratch:
    """Softmax regression from scratch: ``softmax(X.reshape(-1, d) @ W + b)``.

    ``W`` of shape (d, q), d = ``num_inputs`` (784 for 28 × 28 images) and q =
    ``num_outputs`` (10 classes), is drawn from N(0, sigma²) with
    ``torch.normal`` on the CPU (PyTorch's global CPU generator, so
    ``seed_everything`` fixes it and a GPU run starts from the same numbers)
    and moved to ``device``; ``b`` of shape (q,) starts at zero. Both have
    ``requires_grad=True``.

    >>> model = SoftmaxRegressionScratch(4, 3)
    >>> Y_hat = model(torch.ones(2, 2, 2))  # images are flattened to 4 features
    >>> Y_hat.shape, torch.allclose(Y_hat.sum(1), torch.ones(2))
    (torch.Size([2, 3]), True)
    >>> [tuple(p.shape) for p in model.params]
    [(4, 3), (3,)]
    """

    def __init__(self, num_inputs: int = 784, num_outputs: int = 10, sigma: float = 0.01,
                 device: torch.device | str = "cpu") -> None:
        num_inputs = check_positive_int(num_inputs, "num_inputs")
        num_outputs = check_positive_int(num_outputs, "num_outputs")
        sigma = check_positive_real(sigma, "sigma")
        # drawn on the CPU, then moved: every device starts from the same numbers
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs)).to(device)
        self.W.requires_grad_()
        self.b = torch.zeros(num_outputs, device=device, requires_grad=True)

    @property
    def params(self) -> list[torch.Tensor]:
        """``[W, b]``, what the updater changes."""
        return [self.W, self.b]

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Class probabilities of shape (n, q) for X of shape (n, ...)."""
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)


def softmax_regression(num_inputs: int = 784, num_outputs: int = 10, sigma: float = 0.01,
                       device: torch.device | str = "cpu") -> nn.Sequential:
    """The concise model: ``nn.Sequential(nn.Flatten(), nn.Linear(d, q))`` on ``device``.

    The weights are re-drawn from N(0, sigma²), as the notes' ``init_weights``
    does; the bias keeps PyTorch's default initialisation. The model outputs
    logits of shape (n, q): pair it with ``nn.CrossEntropyLoss``.

    >>> net = softmax_regression(784, 10)
    >>> net(torch.zeros(5, 1, 28, 28)).shape
    torch.Size([5, 10])
    >>> sum(p.numel() for p in net.parameters())
    7850
    """
    num_inputs = check_positive_int(num_inputs, "num_inputs")
    num_outputs = check_positive_int(num_outputs, "num_outputs")
    sigma = check_positive_real(sigma, "sigma")
    net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))
    nn.init.normal_(net[1].weight, std=sigma)
    return net.to(device)


def recipe(impl: str, *, lr: float = 0.1, device: torch.device | str = "cpu",
           ) -> tuple[Callable, Callable, torch.optim.Optimizer | Callable[[int], None]]:
    """The course's ``(net, loss, updater)`` for Fashion-MNIST, ready for :func:`train`.

    ``"scratch"`` is chapter 8's: :class:`SoftmaxRegressionScratch`,
    :func:`cross_entropy` on its probabilities and :func:`sgd` as
    ``updater(batch_size)``. ``"concise"`` is chapter 9's:
    :func:`softmax_regression`, ``nn.CrossEntropyLoss(reduction="none")`` on
    its logits and ``torch.optim.SGD``. Both take the same steps with learning
    rate ``lr``; the parameters live on ``device``: put the data there too.

    >>> net, loss, updater = recipe("concise", lr=0.1)
    >>> type(loss).__name__, type(updater).__name__
    ('CrossEntropyLoss', 'SGD')
    >>> model, loss, updater = recipe("scratch")
    >>> loss.__name__, [tuple(p.shape) for p in model.params]
    ('cross_entropy', [(784, 10), (10,)])
    """
    lr = check_positive_real(lr, "lr")
    if impl == "scratch":
        model = SoftmaxRegressionScratch(device=device)
        return model, cross_entropy, lambda batch_size: sgd(model.params, lr, batch_size)
    if impl == "concise":
        net = softmax_regression(device=device)
        return net, nn.CrossEntropyLoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr)
    raise ValueError(f"impl must be 'scratch' or 'concise', got {impl!r}")
