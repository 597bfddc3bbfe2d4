"""Benchmarks: the notes' recipe against lesson_utils, side by side in one run.

(a) reading one training epoch (60 000 images, batch 256):
    ``DataLoader(FashionMNIST(transform=ToTensor()), 256, shuffle=True,
    num_workers=...)`` against ``load_fashion_mnist``;
(b) 10 epochs of softmax regression (lr 0.1, batch 256), from scratch and
    concise: the notes' DataLoader + d2l loop against ``lesson_utils.train``.

Repetitions are interleaved (notes, ours, notes, ours, ...) so that a change in
machine load hits both; the table reports medians. Run on a quiet machine:

    .venv/bin/python benchmarks/bench_training.py             # everything, 3 repeats
    .venv/bin/python benchmarks/bench_training.py --repeats 5 --threads 1
    .venv/bin/python benchmarks/bench_training.py --only reading

Not part of the tests: timings are never asserted.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time

import torch
from notes_recipe import notes_loaders, notes_train, notes_workers

from lesson_utils import load_fashion_mnist, recipe, seed_everything, train

BATCH_SIZE, LR = 256, 0.1


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _read_epoch(loader) -> None:
    for _batch in loader:
        continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=notes_workers(),
                        help="DataLoader workers of the notes' recipe (default: min(4, CPUs))")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads for both sides (default: torch's choice)")
    parser.add_argument("--only", choices=("reading", "training"), default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{args.workers} DataLoader workers, {args.repeats} repeats (medians)", flush=True)

    notes_train_iter, notes_test_iter = notes_loaders(BATCH_SIZE, args.workers)
    train_iter, test_iter = load_fashion_mnist(BATCH_SIZE, device="cpu")
    rows = []

    if args.only in (None, "reading"):
        notes, ours = [], []
        for _ in range(args.repeats):
            notes.append(_time(lambda: _read_epoch(notes_train_iter))[0])
            ours.append(_time(lambda: _read_epoch(train_iter))[0])
        rows.append(("read one epoch", statistics.median(notes), statistics.median(ours), ""))
        print(f"  reading: notes {notes}, ours {ours}", flush=True)

    if args.only in (None, "training"):
        for impl in ("concise", "scratch"):
            notes, ours, acc = [], [], {}
            for _ in range(args.repeats):
                seed_everything(0)
                net, loss, updater = recipe(impl, lr=LR)
                seconds, acc["notes"] = _time(functools.partial(
                    notes_train, net, notes_train_iter, notes_test_iter, loss, args.epochs,
                    updater))
                notes.append(seconds)
                seed_everything(0)
                net, loss, updater = recipe(impl, lr=LR)
                seconds, history = _time(functools.partial(
                    train, net, train_iter, test_iter, loss, args.epochs, updater))
                ours.append(seconds)
                acc["ours"] = history.test_acc[-1]
            rows.append((f"{args.epochs} epochs, {impl}", statistics.median(notes),
                         statistics.median(ours),
                         f"test acc {acc['notes']:.4f} / {acc['ours']:.4f}"))
            print(f"  {impl}: notes {notes}, ours {ours}", flush=True)

    print()
    print(f"| {'task':<20} | {'notes (s)':>9} | {'ours (s)':>9} | {'speed-up':>8} | note")
    print(f"|{'-' * 22}|{'-' * 11}|{'-' * 11}|{'-' * 10}|------")
    for task, notes_s, ours_s, note in rows:
        print(f"| {task:<20} | {notes_s:9.3f} | {ours_s:9.3f} | {notes_s / ours_s:7.1f}x | {note}")


if __name__ == "__main__":
    main()
