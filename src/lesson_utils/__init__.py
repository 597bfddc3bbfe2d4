"""lesson_utils: the tested helpers behind the softmax-regression course.

Chapters import only the names in ``__all__``. Importing the package does
nothing else: no downloads, no seeding, no matplotlib settings, and no imports
either: each name is loaded from its module on first use (``_HOME`` says which),
so ``import lesson_utils.i18n`` does not import torch.
"""

__version__ = "0.1.0"


# the public names, by the module each lives in (checked by tests/test_runtime.py)
_HOME = {
    "runtime": ["default_device", "glue", "seed_everything", "Timer"],
    "data": ["FASHION_MNIST_CLASSES", "FashionMNISTBatches", "fashion_mnist_labels",  # chapter 7
             "fashion_mnist_root", "load_fashion_mnist"],
    "plotting": ["show_images", "use_book_style", "TrainingPlot"],
    "functional": ["softmax", "log_softmax", "one_hot", "cross_entropy", "softmax_cross_entropy"],
    "losses": ["squared_loss", "absolute_loss", "huber_loss"],
    "norms": ["l1_norm", "l2_norm", "frobenius_norm"],
    "information": ["entropy", "distribution_cross_entropy", "kl_divergence"],
    "metrics": ["accuracy", "Accumulator", "evaluate_accuracy", "confusion_matrix",  # 8-10
                "calibration_bins", "expected_calibration_error"],
    "models": ["SoftmaxRegressionScratch", "softmax_regression", "recipe"],  # chapters 8-10
    "training": ["sgd", "train_epoch", "train", "TrainingHistory"],
    "exercises": ["check"],  # the checker, and hypothesis, only when a chapter checks an answer
}
__all__ = [name for names in _HOME.values() for name in names]
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
