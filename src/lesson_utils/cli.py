"""Train softmax regression from a terminal: ``python -m lesson_utils train --impl scratch``.

It runs chapter 8's recipe (``--impl scratch``) or chapter 9's (``--impl
concise``) with a progress bar, prints the final accuracies and saves the
training plot after every epoch (default ``runs/<impl>-<epochs>ep-seed<seed>.png``).
The entry point is the package's ``__main__``: a module ``lesson_utils.train``
would replace the function ``lesson_utils.train`` once imported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from .data import load_fashion_mnist
from .models import recipe
from .plotting import TrainingPlot, use_book_style
from .runtime import Timer, default_device, seed_everything
from .training import TrainingHistory, train


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m lesson_utils")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("train", help="train softmax regression on Fashion-MNIST")
    run.add_argument("--impl", choices=("scratch", "concise"), default="concise",
                     help="chapter 8's from-scratch model or chapter 9's nn.Sequential")
    run.add_argument("--epochs", type=int, default=10)
    run.add_argument("--lr", type=float, default=0.1)
    run.add_argument("--batch-size", type=int, default=256)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--data-dir", help="directory with the Fashion-MNIST files")
    run.add_argument("--output", type=Path, help="where to save the training plot (PNG)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    output = args.output or Path("runs") / f"{args.impl}-{args.epochs}ep-seed{args.seed}.png"
    device = default_device()
    use_book_style()  # before the plot's figure is made: it takes its size from rcParams
    try:  # the package checks the values, the data last; a bad one is a usage error (status 2)
        seed_everything(args.seed)
        net, loss, updater = recipe(args.impl, lr=args.lr, device=device)
        plot = TrainingPlot(args.epochs, path=output,
                            title=f"{args.impl}: lr {args.lr:g}, batch {args.batch_size}")
        train_iter, test_iter = load_fashion_mnist(args.batch_size, source_dir=args.data_dir,
                                                   device=device)
    except ValueError as exc:
        parser.error(str(exc))
    timer = Timer()
    with tqdm(total=args.epochs, desc=args.impl, unit="epoch", disable=args.no_progress,
              file=sys.stderr) as bar:
        def on_epoch(history: TrainingHistory) -> None:
            plot.update(history)
            bar.set_postfix({"loss": f"{history.train_loss[-1]:.4f}",
                             "test acc": f"{history.test_acc[-1]:.4f}"}, refresh=False)
            bar.update()

        history = train(net, train_iter, test_iter, loss, args.epochs, updater,
                        on_epoch=on_epoch)
    print(f"{args.impl}: train loss {history.train_loss[-1]:.4f}, "
          f"train acc {history.train_acc[-1]:.4f}, test acc {history.test_acc[-1]:.4f} "
          f"after {args.epochs} epochs in {timer.stop():.1f} s")
    print(f"training plot saved to {output}")
    return 0
