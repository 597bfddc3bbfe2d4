"""lesson_utils: the tested helpers behind the softmax-regression course.

Chapters import only the names in ``__all__``. Importing the package does
nothing else: no downloads, no seeding, no matplotlib settings, and no imports
either: each name is loaded from its module on first use (``_HOME`` says which),
so ``import lesson_utils.i18n`` does not import torch.
"""

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


# where each public name lives (the modules' own __all__, checked by tests/test_runtime.py)
_HOME = {
    "data": ["FASHION_MNIST_CLASSES", "FashionMNISTBatches", "fashion_mnist_labels",
             "fashion_mnist_root", "load_fashion_mnist"],
    "functional": ["cross_entropy", "log_softmax", "one_hot", "softmax", "softmax_cross_entropy"],
    "information": ["distribution_cross_entropy", "entropy", "kl_divergence"],
    "losses": ["absolute_loss", "huber_loss", "squared_loss"],
    "metrics": ["Accumulator", "accuracy", "calibration_bins", "confusion_matrix",
                "evaluate_accuracy", "expected_calibration_error"],
    "models": ["SoftmaxRegressionScratch", "recipe", "softmax_regression"],
    "norms": ["frobenius_norm", "l1_norm", "l2_norm"],
    "plotting": ["TrainingPlot", "show_images", "use_book_style"],
    "runtime": ["Timer", "default_device", "glue", "seed_everything"],
    "training": ["TrainingHistory", "sgd", "train", "train_epoch"],
    "exercises": ["check"],  # the checker, and hypothesis, only when a chapter checks an answer
}
_MODULE = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str):
    """``lesson_utils.softmax`` and ``from lesson_utils import softmax``: import its module."""
    if name not in _MODULE:
        raise AttributeError(f"module 'lesson_utils' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_MODULE[name]}", __name__), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
