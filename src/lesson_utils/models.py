"""The two softmax-regression models of the course, ready made.

:class:`SoftmaxRegressionScratch` is the model chapter ``08_softmax_scratch``
writes by hand; :func:`softmax_regression` is the ``nn.Sequential`` of chapter
``09_softmax_concise``. Chapters 9 and 10, the command line and the benchmarks
build them from here so that every run uses the same recipe.
"""

from __future__ import annotations

import torch
from torch import nn

from ._validation import check_positive_int
from .functional import softmax
from .runtime import default_device

__all__ = ["SoftmaxRegressionScratch", "softmax_regression"]


def _check_sigma(sigma: object) -> float:
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not sigma > 0:
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    return float(sigma)


class SoftmaxRegressionScratch:
    """Softmax regression from scratch: ``softmax(X.reshape(-1, d) @ W + b)``.

    ``W`` of shape (d, q) is drawn from N(0, sigma²) with ``torch.normal`` on
    the CPU (PyTorch's global CPU generator, so ``seed_everything`` fixes it and
    a GPU run starts from the same numbers) and moved to ``device``; ``b`` of
    shape (q,) starts at zero. Both have ``requires_grad=True``.

    Parameters
    ----------
    num_inputs, num_outputs : int
        d (784 for 28 × 28 images) and q (10 classes).
    sigma : float
        Standard deviation of the initial weights.
    device : torch.device or str, optional
        Default :func:`default_device`.

    Examples
    --------
    >>> model = SoftmaxRegressionScratch(4, 3, device="cpu")
    >>> Y_hat = model(torch.ones(2, 2, 2))  # images are flattened to 4 features
    >>> Y_hat.shape, torch.allclose(Y_hat.sum(1), torch.ones(2))
    (torch.Size([2, 3]), True)
    >>> [tuple(p.shape) for p in model.params]
    [(4, 3), (3,)]
    """

    def __init__(self, num_inputs: int = 784, num_outputs: int = 10, sigma: float = 0.01,
                 device: torch.device | str | None = None) -> None:
        num_inputs = check_positive_int(num_inputs, "num_inputs")
        num_outputs = check_positive_int(num_outputs, "num_outputs")
        sigma = _check_sigma(sigma)
        device = default_device() if device is None else torch.device(device)
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
                       device: torch.device | str | None = None) -> nn.Sequential:
    """The concise model: ``nn.Sequential(nn.Flatten(), nn.Linear(d, q))``.

    The weights are re-drawn from N(0, sigma²), as the notes' ``init_weights``
    does; the bias keeps PyTorch's default initialisation. The model outputs
    logits: pair it with ``nn.CrossEntropyLoss``.

    Parameters
    ----------
    num_inputs, num_outputs : int
    sigma : float
    device : torch.device or str, optional
        Default :func:`default_device`.

    Returns
    -------
    nn.Sequential mapping (n, ...) to logits of shape (n, q)

    Examples
    --------
    >>> net = softmax_regression(784, 10, device="cpu")
    >>> net(torch.zeros(5, 1, 28, 28)).shape
    torch.Size([5, 10])
    >>> sum(p.numel() for p in net.parameters())
    7850
    """
    num_inputs = check_positive_int(num_inputs, "num_inputs")
    num_outputs = check_positive_int(num_outputs, "num_outputs")
    sigma = _check_sigma(sigma)
    net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))
    nn.init.normal_(net[1].weight, std=sigma)
    return net.to(default_device() if device is None else torch.device(device))
