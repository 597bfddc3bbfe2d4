"""`make lab` starts Jupyter Lab on the chapters, whoever runs it (root included: the
recipe passes Jupyter's own --allow-root, which changes nothing for other users).

The test runs `make lab` itself (with DATA= : the data step is tested elsewhere) on a free
loopback port, and asks the server through its REST API to open a chapter's MyST source
as a notebook (Jupytext's contents manager pairs the .md with the .ipynb).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_classification_vs_regression.md"
HANG_GUARD_S = 180  # how long Jupyter may take to answer on a busy machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_make_lab_serves_a_chapter_as_a_notebook(tmp_path):
    port = _free_port()
    options = [f"--port={port}", "--ip=127.0.0.1", "--no-browser", "--ServerApp.port_retries=0",
               "--IdentityProvider.token=", "--ServerApp.password="]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log_path = tmp_path / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(["make", "--no-print-directory", "-C", str(ROOT), "lab", "DATA=",
                                   f"BIN={Path(sys.executable).parent}",
                                   f"LAB_ARGS={' '.join(options)}"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # Poll until the REST API answers; the deadline only guards against a hang.
        deadline = time.monotonic() + HANG_GUARD_S
        status = None
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(f"{base}/api/status")
            except OSError:
                time.sleep(0.5)
        assert status is not None, (f"Jupyter Lab did not answer on port {port}:\n"
                                    + log_path.read_text()[-3000:])
        model = _get(f"{base}/api/contents/{CHAPTER}?type=notebook&content=1")
        assert model["type"] == "notebook"
        # paired as jupytext.toml says, so saving writes the .ipynb too
        cells = model["content"]["cells"]
        assert any(c["cell_type"] == "code" for c in cells)
        assert any(c["cell_type"] == "markdown" for c in cells)
        # ...and its pair, the .ipynb, opens with the same cells
        paired = _get(f"{base}/api/contents/{Path(CHAPTER).with_suffix('.ipynb')}?content=1")
        assert [(c["cell_type"], c["source"]) for c in paired["content"]["cells"]] == [
            (c["cell_type"], c["source"]) for c in cells]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
