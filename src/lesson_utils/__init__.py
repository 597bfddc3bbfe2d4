"""lesson_utils: the tested helpers behind the softmax-regression course.

Chapters import only the names in ``__all__``. Importing the package does
nothing else: no downloads, no seeding, no matplotlib settings.
"""

from .data import (
    FASHION_MNIST_CLASSES,
    fashion_mnist_labels,
    fashion_mnist_root,
    load_fashion_mnist,
)
from .functional import cross_entropy, log_softmax, one_hot, softmax, softmax_cross_entropy
from .plotting import show_images, use_book_style
from .runtime import Timer, default_device, seed_everything

__all__ = [
    # runtime
    "default_device",
    "seed_everything",
    "Timer",
    # data
    "FASHION_MNIST_CLASSES",
    "fashion_mnist_labels",
    "fashion_mnist_root",
    "load_fashion_mnist",
    # plotting
    "show_images",
    "use_book_style",
    # softmax and cross-entropy
    "softmax",
    "log_softmax",
    "one_hot",
    "cross_entropy",
    "softmax_cross_entropy",
]

__version__ = "0.1.0"
