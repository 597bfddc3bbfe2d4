"""Train softmax regression from a terminal: ``python -m lesson_utils train``.

::

    python -m lesson_utils train --impl scratch --epochs 10
    python -m lesson_utils train --impl concise --lr 0.1 --batch-size 256 --output runs/c.png

It runs the recipe of chapter ``08_softmax_scratch`` (``--impl scratch``) or
``09_softmax_concise`` (``--impl concise``) with a progress bar on stderr,
prints the final accuracies and saves the training plot as a PNG after every
epoch (by default ``runs/<impl>-<epochs>ep-seed<seed>.png``; ``runs/`` is
git-ignored).

The entry point is the package's ``__main__`` rather than a module named
``lesson_utils.train``: importing such a module would replace the function
``lesson_utils.train`` with the module of the same name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from .data import load_fashion_mnist
from .models import recipe
from .plotting import TrainingPlot, use_book_style
from .runtime import Timer, default_device, seed_everything
from .training import TrainingHistory, train

__all__ = ["main", "build_parser"]


def _positive(kind: type) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m lesson_utils``."""
    parser = argparse.ArgumentParser(
        prog="python -m lesson_utils",
        description="Tools of the softmax-regression course.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "train", help="train softmax regression on Fashion-MNIST",
        description="Train softmax regression on Fashion-MNIST (chapters 8 and 9).")
    run.add_argument("--impl", choices=("scratch", "concise"), default="concise",
                     help="from-scratch model and sgd (chapter 8) or nn.Sequential and "
                          "torch.optim.SGD (chapter 9); default: concise")
    run.add_argument("--epochs", type=_positive(int), default=10, help="default: 10")
    run.add_argument("--lr", type=_positive(float), default=0.1, help="default: 0.1")
    run.add_argument("--batch-size", type=_positive(int), default=256, help="default: 256")
    run.add_argument("--seed", type=int, default=0, help="default: 0")
    run.add_argument("--data-dir", default=None,
                     help="directory with the Fashion-MNIST files (default: the search of "
                          "lesson_utils.fashion_mnist_root)")
    run.add_argument("--output", type=Path, default=None,
                     help="where to save the training plot (PNG); default: "
                          "runs/<impl>-<epochs>ep-seed<seed>.png")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    output = args.output or Path("runs") / f"{args.impl}-{args.epochs}ep-seed{args.seed}.png"
    device = default_device()
    seed_everything(args.seed)
    train_iter, test_iter = load_fashion_mnist(args.batch_size, source_dir=args.data_dir,
                                               device=device)
    net, loss, updater = recipe(args.impl, lr=args.lr, device=device)
    use_book_style()
    plot = TrainingPlot(args.epochs, path=output,
                        title=f"{args.impl}: lr {args.lr:g}, batch {args.batch_size}")
    print(f"training {args.impl} softmax regression on {device} for {args.epochs} epochs "
          f"(lr {args.lr:g}, batch size {args.batch_size}, seed {args.seed})", file=sys.stderr)
    timer = Timer()
    with tqdm(total=args.epochs, desc=args.impl, unit="epoch", disable=args.no_progress,
              file=sys.stderr) as bar:
        def on_epoch(history: TrainingHistory) -> None:
            plot.update(history)
            bar.set_postfix({"loss": f"{history.train_loss[-1]:.4f}",
                             "train acc": f"{history.train_acc[-1]:.4f}",
                             "test acc": f"{history.test_acc[-1]:.4f}"}, refresh=False)
            bar.update()

        history = train(net, train_iter, test_iter, loss, args.epochs, updater,
                        on_epoch=on_epoch)
    seconds = timer.stop()
    print(f"{args.impl}: train loss {history.train_loss[-1]:.4f}, "
          f"train acc {history.train_acc[-1]:.4f}, test acc {history.test_acc[-1]:.4f} "
          f"after {args.epochs} epochs in {seconds:.1f} s")
    print(f"training plot saved to {output}")
    return 0
