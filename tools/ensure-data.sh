#!/usr/bin/env bash
# Make Fashion-MNIST available to the chapters. Where it is not already
# configured (FASHION_MNIST_DIR) or installed (Debian's dataset-fashion-mnist)
# and apt-get is usable, install the package; otherwise lesson_utils downloads
# it with torchvision into its cache. Usage: tools/ensure-data.sh PYTHON
set -euo pipefail
python=${1:-python3}
system_dir=/usr/share/datasets/fashion-mnist

if [ -z "${FASHION_MNIST_DIR:-}" ] && [ ! -f "$system_dir/train-images-idx3-ubyte.gz" ] \
   && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
  fi
  if [ "$sudo" != none ]; then
    echo "Installing Fashion-MNIST from apt (dataset-fashion-mnist)..."
    if ! { $sudo apt-get update -qq && \
           $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; }; then
      echo "apt-get could not install dataset-fashion-mnist; lesson_utils will download the data instead." >&2
    fi
  else
    echo "apt-get needs root here; lesson_utils will download Fashion-MNIST instead." >&2
  fi
fi

"$python" -c 'from lesson_utils import fashion_mnist_root; print("Fashion-MNIST is staged in", fashion_mnist_root() / "FashionMNIST" / "raw")'
