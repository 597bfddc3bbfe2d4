"""`make lab` starts Jupyter Lab on the chapters, as root and as an ordinary user.

The server is started with the Makefile's own command, on a free loopback
port, and asked through its REST API to open a chapter's MyST source as a
notebook (Jupytext's contents manager pairs the .md with the .ipynb).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_classification_vs_regression.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _dry_run(tmp_path, uid: str) -> str:
    """The command `make lab` would run for a user with this uid."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    out = subprocess.run(["make", "-n", "--no-print-directory", "lab"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return next(line for line in out.splitlines() if "jupyter lab" in line)


def test_make_lab_allows_root_only_for_root(tmp_path):
    assert "--allow-root" in _dry_run(tmp_path, "0")
    assert "--allow-root" not in _dry_run(tmp_path, "1000")
    assert _dry_run(tmp_path, "1000").rstrip().endswith("chapters/")


def test_make_lab_serves_a_chapter_as_a_notebook(tmp_path):
    port = _free_port()
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
            "--IdentityProvider.token= --ServerApp.password= "
            f"--ServerApp.root_dir={ROOT / 'chapters'}")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(f"{base}/api/status")
                break
            except OSError:
                time.sleep(0.5)
        assert status is not None, (f"Jupyter Lab did not answer on port {port}:\n"
                                    + (tmp_path / "lab.log").read_text()[-3000:])
        model = _get(f"{base}/api/contents/{CHAPTER}?type=notebook&content=1")
        assert model["type"] == "notebook"
        cells = model["content"]["cells"]
        assert any(c["cell_type"] == "code" for c in cells)
        assert any(c["cell_type"] == "markdown" for c in cells)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
