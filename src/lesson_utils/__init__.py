"""lesson_utils: the tested helpers behind the softmax-regression course.

Chapters import only the names in ``__all__``. Importing the package does
nothing else: no downloads, no seeding, no matplotlib settings.
"""

from .data import (
    FASHION_MNIST_CLASSES,
    FashionMNISTBatches,
    fashion_mnist_labels,
    fashion_mnist_root,
    load_fashion_mnist,
)
from .functional import cross_entropy, log_softmax, one_hot, softmax, softmax_cross_entropy
from .information import distribution_cross_entropy, entropy, kl_divergence
from .losses import absolute_loss, huber_loss, squared_loss
from .metrics import (
    Accumulator,
    accuracy,
    calibration_bins,
    confusion_matrix,
    evaluate_accuracy,
    expected_calibration_error,
)
from .models import SoftmaxRegressionScratch, recipe, softmax_regression
from .norms import frobenius_norm, l1_norm, l2_norm
from .plotting import TrainingPlot, show_images, use_book_style
from .runtime import Timer, default_device, glue, seed_everything
from .training import TrainingHistory, sgd, train, train_epoch

__all__ = [
    # runtime
    "default_device", "glue", "seed_everything", "Timer",
    # data (chapter 7)
    "FASHION_MNIST_CLASSES", "FashionMNISTBatches", "fashion_mnist_labels", "fashion_mnist_root",
    "load_fashion_mnist",
    # plotting
    "show_images", "use_book_style", "TrainingPlot",
    # softmax and cross-entropy
    "softmax", "log_softmax", "one_hot", "cross_entropy", "softmax_cross_entropy",
    # regression losses, norms, information measures
    "squared_loss", "absolute_loss", "huber_loss",
    "l1_norm", "l2_norm", "frobenius_norm",
    "entropy", "distribution_cross_entropy", "kl_divergence",
    # metrics (chapters 8-10)
    "accuracy", "Accumulator", "evaluate_accuracy", "confusion_matrix", "calibration_bins",
    "expected_calibration_error",
    # models and training (chapters 8-10)
    "SoftmaxRegressionScratch", "softmax_regression", "recipe",
    "sgd", "train_epoch", "train", "TrainingHistory",
    # feedback on the exercises
    "check",
]

__version__ = "0.1.0"


def __getattr__(name: str):
    """``check`` loads the exercises' checker (and hypothesis) on first use, not at import."""
    if name == "check":
        from .exercises import check
        return check
    raise AttributeError(f"module 'lesson_utils' has no attribute {name!r}")
