#!/usr/bin/env bash
# Make Fashion-MNIST available to the chapters. Where it is not already
# configured (FASHION_MNIST_DIR) or installed (Debian's dataset-fashion-mnist)
# and apt-get is usable, install the package; otherwise lesson_utils downloads
# it with torchvision into its cache. Usage: tools/ensure-data.sh PYTHON
set -euo pipefail
python=${1:-python3}
system_dir=/usr/share/datasets/fashion-mnist

if [ -z "${FASHION_MNIST_DIR:-}" ] && [ ! -f "$system_dir/train-images-idx3-ubyte.gz" ]; then
  source "$(dirname "$0")/apt-install.sh"
  apt_install "the chapters (Fashion-MNIST)" dataset-fashion-mnist \
    || echo "lesson_utils will download Fashion-MNIST with torchvision instead." >&2
fi

"$python" -c 'from lesson_utils import fashion_mnist_root; print("Fashion-MNIST is staged in", fashion_mnist_root() / "FashionMNIST" / "raw")'
