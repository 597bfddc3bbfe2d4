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
from .information import distribution_cross_entropy, entropy, kl_divergence
from .losses import absolute_loss, huber_loss, squared_loss
from .metrics import accuracy, calibration_bins, confusion_matrix, expected_calibration_error
from .models import SoftmaxRegressionScratch, softmax_regression
from .norms import frobenius_norm, l1_norm, l2_norm
from .plotting import TrainingPlot, plot_context, show_images, use_book_style
from .runtime import Timer, default_device, seed_everything
from .training import (
    Accumulator,
    TrainingHistory,
    evaluate_accuracy,
    sgd,
    train,
    train_epoch,
)

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
    "TrainingPlot",
    "plot_context",
    # softmax and cross-entropy
    "softmax",
    "log_softmax",
    "one_hot",
    "cross_entropy",
    "softmax_cross_entropy",
    # regression losses
    "squared_loss",
    "absolute_loss",
    "huber_loss",
    # norms
    "l1_norm",
    "l2_norm",
    "frobenius_norm",
    # information measures
    "entropy",
    "distribution_cross_entropy",
    "kl_divergence",
    # metrics and training (chapters 8-10)
    "accuracy",
    "confusion_matrix",
    "calibration_bins",
    "expected_calibration_error",
    "Accumulator",
    "evaluate_accuracy",
    "sgd",
    "train_epoch",
    "train",
    "TrainingHistory",
    "SoftmaxRegressionScratch",
    "softmax_regression",
]

__version__ = "0.1.0"
