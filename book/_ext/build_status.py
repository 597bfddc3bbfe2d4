"""What the book was built with, for the execution status page (book/status.md).

The chapters are executed by a kernel of the same Python environment that
runs the build, so the versions read here are theirs. They are offered to
the pages as MyST substitutions: ``{{ python_version }}``,
``{{ torch_version }}``, ``{{ torchvision_version }}``, ``{{ numpy_version }}``,
``{{ device }}`` (what ``lesson_utils.default_device()`` returns, honouring
``LESSON_DEVICE``) and ``{{ platform }}``.
"""

from __future__ import annotations

import platform
from importlib import metadata

from sphinx.application import Sphinx
from sphinx.config import Config


def environment() -> dict[str, str]:
    import torch

    from lesson_utils import default_device

    device = default_device()
    if device.type == "cuda":
        described = f"cuda ({torch.cuda.get_device_name(device)})"
    else:
        described = device.type
    return {
        "python_version": platform.python_version(),
        "torch_version": metadata.version("torch"),
        "torchvision_version": metadata.version("torchvision"),
        "numpy_version": metadata.version("numpy"),
        "device": described,
        "platform": f"{platform.system()} {platform.machine()}",
    }


def _add_substitutions(app: Sphinx, config: Config) -> None:
    config.myst_substitutions = {**environment(), **(config.myst_substitutions or {})}


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_substitutions)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
