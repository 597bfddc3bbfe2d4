"""A mutation check of lesson_utils: break each public function plausibly, see the tests fail.

Each mutation replaces one exact snippet of a module of ``src/lesson_utils`` by
a plausible bug (softmax without the max shift, accuracy that counts instead of
dividing, ...), runs the test files that cover it (plus the module's doctests)
and records whether some test failed (the mutant is *killed*) or all passed (it
*survived*: the tests miss that bug).

The source tree is never touched: ``src/``, ``tests/`` and ``pyproject.toml``
are copied into a temporary directory (one copy per parallel job), the copy is
mutated and restored there, and the tests import the copy's package
(``PYTHONPATH`` and pytest's importlib mode; checked before any mutation).
So another person may run the tests in the tree meanwhile.

Usage::

    .venv/bin/python tools/mutation_check.py             # every mutation
    .venv/bin/python tools/mutation_check.py -k huber -j 1  # only those naming 'huber'
    .venv/bin/python tools/mutation_check.py --list

Exit status 0 when every mutant is killed; 1 when one survived, a snippet is
missing or ambiguous (the list has gone stale: update it), or a run errored;
2 when the unmutated copy fails its tests (nothing can be measured).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path("src") / "lesson_utils"
PYTEST = ["-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:nbval",
          "--import-mode=importlib"]


@dataclass(frozen=True)
class Mutation:
    target: str  # the public name it breaks
    what: str  # the bug, in words
    module: str  # file in src/lesson_utils
    old: str  # exact snippet, present exactly once in the file
    new: str
    tests: tuple[str, ...]  # test files (in tests/) to run


def M(target: str, what: str, module: str, old: str, new: str, *tests: str) -> Mutation:
    return Mutation(target, what, module, old, new, tuple(f"tests/{t}" for t in tests))


F, L, I, N = "functional.py", "losses.py", "information.py", "norms.py"
ME, R, T, MO = "metrics.py", "runtime.py", "training.py", "models.py"
D, P, V = "data.py", "plotting.py", "_validation.py"
TF, TL, TI, TN = "test_functional.py", "test_losses.py", "test_information.py", "test_norms.py"
TM, TR, TT, TMO = "test_metrics.py", "test_runtime.py", "test_training.py", "test_models.py"
TD, TP = "test_data.py", "test_plotting.py"

MUTATIONS: list[Mutation] = [
    # ---------------------------------------------------------------- functional
    M("softmax", "no max shift (overflows)", F,
      "shifted = O - O.amax(dim=dim, keepdim=True)\n    exp = shifted.exp()",
      "shifted = O\n    exp = shifted.exp()", TF),
    M("softmax", "normalises along dim 0, not dim", F,
      "return exp / exp.sum(dim=dim, keepdim=True)", "return exp / exp.sum(dim=0, keepdim=True)",
      TF),
    M("log_softmax", "no max shift (overflows)", F,
      "shifted = O - O.amax(dim=dim, keepdim=True).detach()", "shifted = O", TF),
    M("log_softmax", "log-sum-exp over the last dim, ignoring dim", F,
      "shifted.exp().sum(dim=dim, keepdim=True).log()",
      "shifted.exp().sum(dim=-1, keepdim=True).log()", TF),
    M("one_hot", "off by one (class y+1)", F,
      "y.unsqueeze(-1).long(), 1.0)", "(y.unsqueeze(-1).long() + 1) % num_classes, 1.0)", TF),
    M("one_hot", "int64 rows, not float32", F,
      "num_classes, dtype=torch.float32,", "num_classes, dtype=torch.int64,", TF),
    M("cross_entropy", "without the minus", F,
      "return -torch.log(Y_hat[", "return torch.log(Y_hat[", TF),
    M("cross_entropy", "log of the predicted column, not the true one", F,
      "Y_hat[torch.arange(len(y), device=Y_hat.device), y])",
      "Y_hat[torch.arange(len(y), device=Y_hat.device), Y_hat.argmax(dim=1)])", TF),
    M("cross_entropy", "accepts logits (no distribution check)", F,
      'check_distributions(Y_hat, "Y_hat", hint=(',
      'check_tensor(Y_hat, "Y_hat", floating=(', TF),
    M("softmax_cross_entropy", "log of softmax (unstable)", F,
      "return -log_softmax(O)[", "return -softmax(O).log()[", TF),
    M("softmax_cross_entropy", "without the minus", F,
      "return -log_softmax(O)[", "return log_softmax(O)[", TF),
    # ---------------------------------------------------------------- losses
    M("squared_loss", "no 1/2", L, "return (y - y_hat) ** 2 / 2", "return (y - y_hat) ** 2", TL),
    M("absolute_loss", "no abs", L, "return (y - y_hat).abs()", "return y - y_hat", TL),
    M("huber_loss", "delta**2 not halved", L,
      "delta * (error - delta / 2)", "delta * (error - delta)", TL),
    M("huber_loss", "quadratic piece not halved", L,
      "error <= delta, error**2 / 2,", "error <= delta, error**2,", TL),
    M("huber_loss", "switches at 1, ignoring delta", L,
      "torch.where(error <= delta,", "torch.where(error <= 1.0,", TL),
    M("squared_loss", "shape check only by numel (broadcasts (n,) with (n, 1))", L,
      "if y_hat.shape != y.shape:", "if y_hat.numel() != y.numel():", TL),
    # ---------------------------------------------------------------- information
    M("entropy", "p log p without the 0 log 0 = 0 rule", I,
      "torch.special.xlogy(p, p).sum(dim=-1), log_base)", "(p * p.log()).sum(dim=-1), log_base)",
      TI),
    M("entropy", "base multiplies instead of dividing", I,
      "nats if log_base is None else nats / log_base",
      "nats if log_base is None else nats * log_base", TI),
    M("entropy", "log base taken with log2", I, "return math.log(base)",
      "return math.log2(base)", TI),
    M("distribution_cross_entropy", "p and q swapped", I,
      "0.0 - torch.special.xlogy(p, q)", "0.0 - torch.special.xlogy(q, p)", TI),
    M("kl_divergence", "p and q swapped", I,
      "terms = torch.special.xlogy(p, p) - torch.special.xlogy(p, q)",
      "terms = torch.special.xlogy(q, q) - torch.special.xlogy(q, p)", TI),
    M("kl_divergence", "p log(p/q) without the 0 log 0 rule", I,
      "terms = torch.special.xlogy(p, p) - torch.special.xlogy(p, q)",
      "terms = p * (p / q).log()", TI),
    M("kl_divergence", "no shape check (broadcasts)", I,
      "    if p.shape != q.shape:\n", "    if p.ndim != q.ndim:\n", TI),
    # ---------------------------------------------------------------- norms
    M("l1_norm", "no abs", N, "return x.abs().sum(dim=-1)", "return x.sum(dim=-1)", TN),
    M("l2_norm", "no scaling (overflows, underflows)", N,
      "safe_scale = torch.where((scale > 0) & finite, scale, torch.ones_like(scale))",
      "safe_scale = torch.ones_like(scale)", TN),
    M("l2_norm", "sqrt at 0 (NaN gradient at the zero vector)", N,
      "root = torch.sqrt(torch.where(zero, torch.ones_like(sum_sq), sum_sq))",
      "root = torch.sqrt(sum_sq)", TN),
    M("l2_norm", "squares not summed along the last dim", N,
      "sum_sq = (x / safe_scale).square().sum(dim=-1)",
      "sum_sq = (x / safe_scale).square().sum(dim=0)", TN),
    M("frobenius_norm", "flattens the batch too", N,
      "return l2_norm(X.flatten(start_dim=-2))", "return l2_norm(X.flatten())", TN),
    M("frobenius_norm", "accepts a vector", N, "if X.ndim < 2:", "if X.ndim < 1:", TN),
    # ---------------------------------------------------------------- metrics
    M("accuracy", "counts instead of dividing", ME,
      "return float(_num_correct(Y_hat, y)) / len(y)", "return float(_num_correct(Y_hat, y))",
      TM),
    M("accuracy", "argmax along dim 0", ME,
      "return Y_hat.argmax(dim=1)", "return Y_hat.argmax(dim=0)", TM),
    M("accuracy", "float (n,) predictions taken as labels", ME,
      "if Y_hat.is_floating_point() or Y_hat.is_complex()", "if Y_hat.is_complex()", TM),
    M("Accumulator", "reset does not zero", ME,
      '"""Set every sum back to zero."""\n        self.data = [0.0] * self.n',
      '"""Set every sum back to zero."""\n        self.data = list(self.data)', TM),
    M("Accumulator", "add overwrites instead of summing", ME,
      "self.data[i] = self.data[i] + value", "self.data[i] = value", TM),
    M("Accumulator", "keeps the autograd graph", ME,
      "value = value.detach().reshape(())", "value = value.reshape(())", TM),
    M("evaluate_accuracy", "does not restore train mode", ME,
      "    finally:\n        if was_training:\n            net.train()",
      "    finally:\n        pass", TM),
    M("evaluate_accuracy", "does not switch to eval mode", ME,
      "    if was_training:\n        net.eval()", "    if was_training:\n        pass", TM),
    M("evaluate_accuracy", "records gradients", ME,
      "with torch.no_grad():", "with torch.enable_grad():", TM),
    M("evaluate_accuracy", "mean of per-batch accuracies", ME,
      "metric.add(_num_correct(net(X), y), y.numel())",
      "metric.add(_num_correct(net(X), y) / y.numel(), 1)", TM),
    M("confusion_matrix", "transposed (rows = predictions)", ME,
      "flat = y.long() * num_classes + pred.long()",
      "flat = pred.long() * num_classes + y.long()", TM),
    M("calibration_bins", "floor(c*B) instead of ceil(c*B)-1", ME,
      "index = (torch.ceil(confidence * num_bins).long() - 1).clamp(0, num_bins - 1)",
      "index = torch.floor(confidence * num_bins).long().clamp(0, num_bins - 1)", TM),
    M("calibration_bins", "accuracy sums the confidences", ME,
      "index_add_(0, index, correct)", "index_add_(0, index, confidence)", TM),
    M("calibration_bins", "empty bins 0, not NaN", ME,
      "torch.where(empty, nan, conf_sum / safe)", "conf_sum / safe", TM),
    M("expected_calibration_error", "unweighted mean over bins", ME,
      "weights = count[filled].to(confidence.dtype) / count.sum()",
      "weights = torch.ones_like(confidence[filled]) / filled.sum()", TM),
    M("expected_calibration_error", "signed gap (no abs)", ME,
      "(acc[filled] - confidence[filled]).abs()", "(acc[filled] - confidence[filled])", TM),
    # ---------------------------------------------------------------- runtime
    M("default_device", "ignores LESSON_DEVICE", R,
      'wanted = os.environ.get("LESSON_DEVICE", "").strip().lower()', 'wanted = ""', TR),
    M("default_device", "never picks mps", R,
      'return torch.device("mps" if torch.backends.mps.is_available() else "cpu")',
      'return torch.device("cpu")', TR),
    M("default_device", "does not probe the named device", R,
      "        torch.empty(0, device=device)\n", "        pass\n", TR),
    M("default_device", "case-sensitive LESSON_DEVICE", R,
      '"LESSON_DEVICE", "").strip().lower()', '"LESSON_DEVICE", "").strip()', TR),
    M("seed_everything", "does not seed torch", R,
      "torch.manual_seed(seed)  # also", "pass  # also", TR),
    M("seed_everything", "does not seed numpy", R,
      "np.random.seed(seed)  # noqa", "pass  # noqa", TR),
    M("seed_everything", "does not seed random", R, "    random.seed(seed)\n", "    pass\n", TR),
    M("seed_everything", "no upper bound on the seed", R,
      "if not 0 <= seed < 2**32:", "if not 0 <= seed:", TR),
    M("Timer", "stop records the clock, not the elapsed time", R,
      "self.times.append(time.perf_counter() - self._tik)",
      "self.times.append(time.perf_counter())", TR),
    M("Timer", "with-block does not restart the clock", R,
      "    def __enter__(self) -> Timer:\n        self.start()",
      "    def __enter__(self) -> Timer:\n        pass", TR),
    M("Timer", "median is the mean", R, "statistics.median(self.times)",
      "statistics.mean(self.times)", TR),
    M("glue", "always displays", R, "        if display:\n            from IPython",
      "        if True:\n            from IPython", TR),
    M("glue", "myst-nb glue always displayed", R,
      "myst_glue(name, value, display=display)", "myst_glue(name, value, display=True)", TR),
    # ---------------------------------------------------------------- data
    M("fashion_mnist_labels", "off by one", D,
      "FASHION_MNIST_CLASSES[i] for i in", "FASHION_MNIST_CLASSES[i - 1] for i in", TD),
    M("FASHION_MNIST_CLASSES", "sandal and shirt swapped", D,
      '"sandal", "shirt", "sneaker"', '"shirt", "sandal", "sneaker"', TD),
    M("FashionMNISTBatches", "normalised by 256", D,
      "X = images.div(255).unsqueeze(1)", "X = images.div(256).unsqueeze(1)", TD),
    M("FashionMNISTBatches", "not normalised (0..255)", D,
      "X = images.div(255).unsqueeze(1)", "X = images.float().unsqueeze(1)", TD),
    M("FashionMNISTBatches", "never shuffles", D,
      "order = torch.randperm(n).to(self.device) if self.shuffle else None", "order = None", TD),
    M("FashionMNISTBatches", "same order every epoch, not from the global generator", D,
      "order = torch.randperm(n).to(self.device)",
      "order = torch.randperm(n, generator=torch.Generator().manual_seed(0)).to(self.device)",
      TD),
    M("FashionMNISTBatches", "len rounds down", D,
      "math.ceil(len(self.labels) / self.batch_size)", "len(self.labels) // self.batch_size",
      TD),
    M("FashionMNISTBatches", "drops the last short batch", D,
      "for start in range(0, n, self.batch_size):",
      "for start in range(0, n - self.batch_size + 1, self.batch_size):", TD),
    M("FashionMNISTBatches", "resize without antialiasing", D,
      "align_corners=False, antialias=True)", "align_corners=False, antialias=False)", TD),
    M("FashionMNISTBatches", "int32 labels", D,
      "self.labels = labels.to(device=self.device, dtype=torch.int64)",
      "self.labels = labels.to(device=self.device, dtype=torch.int32)", TD),
    M("load_fashion_mnist", "training data not shuffled", D,
      "batch_size, shuffle=True,", "batch_size, shuffle=False,", TD),
    M("load_fashion_mnist", "test data shuffled", D,
      "FashionMNISTBatches(test_set.data, test_set.targets, batch_size, resize=resize,",
      "FashionMNISTBatches(test_set.data, test_set.targets, batch_size, resize=resize, "
      "shuffle=True,", TD),
    M("load_fashion_mnist", "training data not resized", D,
      "shuffle=True,\n                                resize=resize,",
      "shuffle=True,\n                                resize=None,", TD),
    M("fashion_mnist_root", "MD5 not checked", D,
      "if digest.hexdigest() != _MD5[name]:", "if False:", TD),
    M("fashion_mnist_root", "ignores FASHION_MNIST_DIR", D,
      "label, source_dir = _ENV_DIR, os.environ.get(_ENV_DIR) or None",
      "label, source_dir = _ENV_DIR, None", TD),
    M("fashion_mnist_root", "never reuses the staged cache", D,
      "if source is None and all((staged / name).is_file()",
      "if False and all((staged / name).is_file()", TD),
    M("fashion_mnist_root", "staged cache wins over an explicit source", D,
      "if source is None and all((staged / name).is_file()",
      "if all((staged / name).is_file()", TD),
    M("fashion_mnist_root", "ignores the system directory", D,
      "source = source or _find_files(_SYSTEM_DIR)", "source = source", TD),
    M("fashion_mnist_root", "returns the raw directory, not torchvision's root", D,
      "        _stage(path, staged / name)\n    return _cache_dir()",
      "        _stage(path, staged / name)\n    return staged", TD),
    M("fashion_mnist_root", "a corrupt .gz is not reported as corrupt", D,
      "except (EOFError, gzip.BadGzipFile, zlib.error) as exc:",
      "except (gzip.BadGzipFile, zlib.error) as exc:", TD),
    # ---------------------------------------------------------------- plotting
    M("use_book_style", "does nothing", P, "    mpl.rcParams.update(_BOOK_STYLE)", "    pass", TP),
    M("use_book_style", "inverted grey colour map", P,
      '"image.cmap": "gray",', '"image.cmap": "gray_r",', TP),
    M("show_images", "ignores cmap", P,
      "ax.imshow(_as_image(images[i]), cmap=cmap)", "ax.imshow(_as_image(images[i]))", TP),
    M("show_images", "titles off by one", P,
      "ax.set_title(titles[i], fontsize=9)", "ax.set_title(titles[i - 1], fontsize=9)", TP),
    M("show_images", "(C, H, W) not moved to (H, W, C)", P,
      "img = img.permute(1, 2, 0).squeeze(-1)", "img = img.squeeze(0)", TP),
    M("show_images", "axes left on", P, '        ax.axis("off")\n', "        pass\n", TP),
    M("TrainingPlot", "update swaps train and test accuracy", P,
      "history.train_acc[-1],\n                                history.test_acc[-1]]",
      "history.test_acc[-1],\n                                history.train_acc[-1]]", TP),
    M("TrainingPlot", "saved only after the last epoch", P,
      '            self.figure.savefig(self.path, bbox_inches="tight")',
      '            if len(self.x) >= self.num_epochs:\n'
      '                self.figure.savefig(self.path, bbox_inches="tight")', TP),
    M("TrainingPlot", "a new display per epoch instead of an update", P,
      "self._handle.update(image)", "self._handle = display(image, display_id=True)", TP),
    M("TrainingPlot", "y range does not follow the data", P,
      "        self.axes.relim()\n        self.axes.autoscale_view(scalex=False)\n", "", TP),
    M("TrainingPlot", "x axis from 0", P,
      "xlim=(1, max(self.num_epochs, 2))", "xlim=(0, max(self.num_epochs, 2))", TP),
    # ---------------------------------------------------------------- models
    M("SoftmaxRegressionScratch", "random bias", MO,
      "self.b = torch.zeros(num_outputs, device=device, requires_grad=True)",
      "self.b = torch.normal(0, sigma, size=(num_outputs,)).to(device).requires_grad_()", TMO),
    M("SoftmaxRegressionScratch", "ignores sigma", MO,
      "torch.normal(0, sigma, size=(num_inputs", "torch.normal(0, 1.0, size=(num_inputs", TMO),
    M("SoftmaxRegressionScratch", "returns logits", MO,
      "return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)",
      "return X.reshape(-1, self.W.shape[0]) @ self.W + self.b", TMO),
    M("SoftmaxRegressionScratch", "W drawn on the device (differs across devices)", MO,
      "size=(num_inputs, num_outputs)).to(device)",
      "size=(num_inputs, num_outputs), device=device)", TMO),
    M("softmax_regression", "ignores sigma", MO,
      "nn.init.normal_(net[1].weight, std=sigma)", "nn.init.normal_(net[1].weight, std=0.01)",
      TMO),
    M("softmax_regression", "ignores device", MO, "return net.to(device)", "return net", TMO),
    M("recipe", "scratch and concise swapped", MO,
      'if impl == "scratch":', 'if impl == "concise":', TMO),
    M("recipe", "scratch ignores lr", MO,
      "sgd(model.params, lr, batch_size)", "sgd(model.params, 0.1, batch_size)", TMO),
    M("recipe", "concise ignores lr", MO,
      "torch.optim.SGD(net.parameters(), lr=lr)", "torch.optim.SGD(net.parameters(), lr=0.1)",
      TMO),
    M("recipe", "concise loss is a mean", MO,
      'return net, nn.CrossEntropyLoss(reduction="none")', "return net, nn.CrossEntropyLoss()",
      TMO),
    M("recipe", "scratch ignores device", MO,
      "model = SoftmaxRegressionScratch(device=device)", "model = SoftmaxRegressionScratch()",
      TMO),
    # ---------------------------------------------------------------- training
    M("sgd", "does not divide by batch_size", T,
      "param -= lr * param.grad / batch_size", "param -= lr * param.grad", TT),
    M("sgd", "does not zero the gradients", T, "param.grad.zero_()", "pass", TT),
    M("sgd", "ascends", T, "param -= lr * param.grad / batch_size",
      "param += lr * param.grad / batch_size", TT),
    M("train_epoch", "skips zero_grad", T, "            updater.zero_grad()\n", "", TT),
    M("train_epoch", "optimizer path back-propagates the sum", T,
      "(l_sum / n).backward()", "l_sum.backward()", TT),
    M("train_epoch", "scratch path back-propagates the mean", T,
      "            l_sum.backward()\n            updater(n)",
      "            (l_sum / n).backward()\n            updater(n)", TT),
    M("train_epoch", "a mean loss is not scaled to a sum", T, "return l * n", "return l", TT),
    M("train_epoch", "does not set train mode", T,
      "        net.train()\n    metric = Accumulator(3)",
      "        pass\n    metric = Accumulator(3)", TT),
    M("train_epoch", "returns the summed loss", T,
      "return metric[0] / metric[2], metric[1] / metric[2]",
      "return metric[0], metric[1] / metric[2]", TT),
    M("train", "test accuracy measured on the training data", T,
      "test_acc = evaluate_accuracy(net, test_iter)",
      "test_acc = evaluate_accuracy(net, train_iter)", TT),
    M("train", "one epoch short", T,
      "range(1, num_epochs + 1)", "range(1, num_epochs)", TT),
    M("train", "never steps the scheduler", T,
      "            scheduler.step()\n", "            pass\n", TT),
    M("train", "on_epoch before the scheduler step", T,
      "        if scheduler is not None:\n            scheduler.step()\n"
      "        if on_epoch is not None:\n            on_epoch(history)\n",
      "        if on_epoch is not None:\n            on_epoch(history)\n"
      "        if scheduler is not None:\n            scheduler.step()\n", TT),
    M("train", "divergence not detected", T,
      "if not math.isfinite(train_loss):", "if False:", TT),
    M("train", "seconds is the clock, not the epoch's duration", T,
      "history.seconds.append(time.perf_counter() - start)",
      "history.seconds.append(time.perf_counter())", TT),
    M("TrainingHistory", "len counts the test evaluations plus one", T,
      "return len(self.train_loss)", "return len(self.test_acc) + 1", TT),
    # ---------------------------------------------------------------- shared checks
    M("check_distributions", "sums not checked", V,
      "if off > _PROBABILITY_ATOL:", "if False:", TF, TI, TM),
    M("check_labels", "class index == num_classes accepted", V,
      "high >= num_classes:", "high > num_classes:", TF, TM),
    M("check_positive_real", "0 accepted", V, "value > 0)", "value >= 0)", TL, TT),
]


@dataclass
class Outcome:
    mutation: Mutation
    status: str  # killed, SURVIVED, STALE, ERROR
    detail: str = ""
    seconds: float = 0.0


def _copy_tree(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".hypothesis")
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", dest / "tests", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _env(copy: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "src"), str(copy)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no .pyc: a restored file is never read stale
    env["MPLBACKEND"] = "Agg"
    env.pop("LESSON_DEVICE", None)
    return env


def _pytest(copy: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *PYTEST, *args], cwd=copy, env=_env(copy),
                          capture_output=True, text=True, timeout=timeout)


def _first_failure(output: str) -> str:
    """The node id of the first FAILED/ERROR line of pytest's summary."""
    for line in output.splitlines():
        match = re.match(r"(FAILED|ERROR) (\S+)", line)
        if match:
            node = match.group(2)
            return node.replace("tests/", "").replace("src/lesson_utils/", "doctest:")
    return "(no failure line)"


def _check_import(copy: Path) -> None:
    code = "import lesson_utils; print(lesson_utils.__file__)"
    out = subprocess.run([sys.executable, "-c", code],
                         cwd=copy, env=_env(copy), capture_output=True, text=True, check=True)
    path = Path(out.stdout.strip())
    print(f"lesson_utils imported from {path}")
    if copy.resolve() not in path.resolve().parents:
        sys.exit(f"error: the tests would import {path}, not the copy in {copy}")


def _run_one(mutation: Mutation, copy: Path, timeout: float) -> Outcome:
    path = copy / PACKAGE / mutation.module
    original = path.read_text(encoding="utf-8")
    count = original.count(mutation.old)
    if count != 1:
        return Outcome(mutation, "STALE", f"snippet found {count} times in {mutation.module}")
    start = time.perf_counter()
    try:
        path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
        args = [*mutation.tests, "--doctest-modules", str(PACKAGE / mutation.module)]
        try:
            proc = _pytest(copy, args, timeout)
        except subprocess.TimeoutExpired:
            return Outcome(mutation, "killed", "timeout", time.perf_counter() - start)
    finally:
        path.write_text(original, encoding="utf-8")
    seconds = time.perf_counter() - start
    if proc.returncode == 0:
        return Outcome(mutation, "SURVIVED", "", seconds)
    if proc.returncode == 1:
        return Outcome(mutation, "killed", _first_failure(proc.stdout), seconds)
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return Outcome(mutation, "ERROR", f"pytest exit {proc.returncode}: {' | '.join(tail)}",
                   seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="keyword", default="",
                        help="only mutations whose target, module or description contain this")
    parser.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="parallel copies (default: the CPUs, at most 4)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per pytest run")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip checking that the unmutated copy passes")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS
              if args.keyword.lower() in f"{m.target} {m.module} {m.what}".lower()]
    if args.list:
        for i, m in enumerate(chosen, 1):
            print(f"{i:3} {m.target:28} {m.what}")
        return 0
    if not chosen:
        print("no mutation matches", file=sys.stderr)
        return 1
    start = time.perf_counter()
    jobs = max(1, min(args.jobs, len(chosen)))
    with tempfile.TemporaryDirectory(prefix="mutation-check-") as tmp:
        copies = [_copy_tree(Path(tmp) / f"copy{i}") for i in range(jobs)]
        _check_import(copies[0])
        if not args.no_baseline:
            files = sorted({t for m in chosen for t in m.tests})
            modules = sorted({str(PACKAGE / m.module) for m in chosen})
            proc = _pytest(copies[0], [*files, "--doctest-modules", *modules], args.timeout * 2)
            if proc.returncode != 0:
                print(proc.stdout[-3000:], proc.stderr[-2000:], sep="\n")
                print("error: the unmutated copy fails its tests", file=sys.stderr)
                return 2
            print(f"baseline passes ({time.perf_counter() - start:.0f} s)")
        free: queue.Queue[Path] = queue.Queue()
        for copy in copies:
            free.put(copy)

        def task(mutation: Mutation) -> Outcome:
            copy = free.get()
            try:
                outcome = _run_one(mutation, copy, args.timeout)
            finally:
                free.put(copy)
            print(f"  {outcome.status:8} {mutation.target}: {mutation.what} "
                  f"({outcome.seconds:.0f} s)", flush=True)
            return outcome

        with ThreadPoolExecutor(jobs) as pool:
            futures = [pool.submit(task, m) for m in chosen]
            try:
                outcomes = [f.result() for f in futures]
            except KeyboardInterrupt:  # the copies are restored by _run_one and then deleted
                for f in futures:
                    f.cancel()
                raise
    width = max(len(o.mutation.target) for o in outcomes)
    print(f"\n{'#':>3}  {'target':{width}}  {'status':8}  mutation  ->  killed by / detail")
    for i, o in enumerate(outcomes, 1):
        print(f"{i:3}  {o.mutation.target:{width}}  {o.status:8}  {o.mutation.what}  ->  "
              f"{o.detail}")
    bad = [o for o in outcomes if o.status != "killed"]
    killed = len(outcomes) - len(bad)
    print(f"\n{killed}/{len(outcomes)} killed, {len(bad)} not "
          f"({time.perf_counter() - start:.0f} s, {jobs} jobs)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
