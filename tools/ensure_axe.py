"""Fetch axe-core, the accessibility engine the browser test injects into every page.

The npm package axe-core, pinned, from the npm registry (no node or npm
needed): its tarball is checked against the registry's sha512 integrity and
`axe.min.js` unpacked to _build/axe-core/<version>/. Already there: nothing to do.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "_build" / "axe-core" / VERSION / "axe.min.js"


def main() -> int:
    if TARGET.is_file():
        print(f"Browser test: axe-core {VERSION}")
        return 0
    try:
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            data = response.read()
    except OSError as error:
        print(f"axe-core {VERSION} could not be fetched from {TARBALL}: {error}")
        return 0  # the browser test says what is missing (and fails under CI=true)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        sys.exit(f"{TARBALL}: integrity {digest} is not the pinned {INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        script = archive.extractfile("package/axe.min.js").read()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    partial = TARGET.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(TARGET)
    print(f"Browser test: axe-core {VERSION} fetched from the npm registry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
