"""Tests of the command line, ``python -m lesson_utils train``, on synthetic data."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from tests.conftest import synthetic_batches

from lesson_utils import cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def tiny_data(monkeypatch):
    """Replace Fashion-MNIST by 120 learnable synthetic images (no files, no network)."""
    calls = []

    def fake_load(batch_size, resize=None, source_dir=None, device="cpu"):
        calls.append({"batch_size": batch_size, "source_dir": source_dir, "device": device})
        return (synthetic_batches(120, batch_size, device=device),
                synthetic_batches(120, batch_size, shuffle=False, device=device))

    monkeypatch.setattr(cli, "load_fashion_mnist", fake_load)
    monkeypatch.setenv("LESSON_DEVICE", "cpu")
    return calls


@pytest.mark.parametrize("impl", ["scratch", "concise"])
def test_train_command_prints_progress_accuracy_and_saves_the_plot(impl, tiny_data, tmp_path,
                                                                   capsys):
    output = tmp_path / "plots" / "run.png"
    status = cli.main(["train", "--impl", impl, "--epochs", "3", "--batch-size", "32",
                       "--lr", "0.5", "--output", str(output)])
    assert status == 0
    out, err = capsys.readouterr()
    assert output.read_bytes().startswith(PNG_MAGIC)
    assert f"{impl}: train loss" in out and "test acc" in out
    assert f"training plot saved to {output}" in out
    assert "3/3" in err and "test acc=" in err  # tqdm's bar, its postfix from on_epoch
    assert tiny_data == [{"batch_size": 32, "source_dir": None, "device": torch.device("cpu")}]
    accuracy = float(out.split("test acc ")[1].split()[0])
    assert accuracy > 0.9


def test_train_command_default_output_data_dir_and_no_progress(tiny_data, tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["train", "--epochs", "1", "--no-progress", "--seed", "3",
                     "--data-dir", "somewhere"]) == 0
    assert (tmp_path / "runs" / "concise-1ep-seed3.png").is_file()
    assert tiny_data[0]["source_dir"] == "somewhere"
    assert "1/1" not in capsys.readouterr().err


def test_train_command_saves_the_plot_after_every_epoch(tiny_data, tmp_path, monkeypatch):
    output = tmp_path / "run.png"
    saved = []
    real_update = cli.TrainingPlot.update

    def update(plot, history):
        real_update(plot, history)
        saved.append(output.read_bytes())  # what a reader of the file sees after this epoch

    monkeypatch.setattr(cli.TrainingPlot, "update", update)
    cli.main(["train", "--epochs", "2", "--no-progress", "--output", str(output)])
    assert len(saved) == 2 and all(png.startswith(PNG_MAGIC) for png in saved)
    assert saved[0] != saved[1]  # redrawn with the second epoch


def test_train_command_is_reproducible(tiny_data, tmp_path, capsys):
    lines = []
    for run in range(2):
        cli.main(["train", "--impl", "scratch", "--epochs", "2", "--batch-size", "16",
                  "--no-progress", "--output", str(tmp_path / f"{run}.png")])
        lines.append(capsys.readouterr().out.splitlines()[0].split(" in ")[0])
    assert lines[0] == lines[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--epochs", "0"], "error: num_epochs must be positive, got 0"),
        (["train", "--epochs", "two"], "--epochs: invalid int value: 'two'"),
        (["train", "--lr", "-0.1"], "error: lr must be positive and finite, got -0.1"),
        (["train", "--batch-size", "0"], "error: batch_size must be positive, got 0"),
        (["train", "--seed", "-1"], "error: seed must be in [0, 2**32), got -1"),
        (["train", "--impl", "numpy"], "--impl: invalid choice"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_train_command_rejects_bad_arguments(argv, message, tiny_data, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_python_dash_m_help():
    result = subprocess.run([sys.executable, "-m", "lesson_utils", "train", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "--impl {scratch,concise}" in result.stdout and "--output" in result.stdout


def test_the_train_function_is_not_shadowed():
    import lesson_utils
    import lesson_utils.cli  # noqa: F401

    assert callable(lesson_utils.train) and lesson_utils.train.__module__ == "lesson_utils.training"
