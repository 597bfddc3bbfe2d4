#!/usr/bin/env bash
# `make lab`'s command, here so that tests/test_lab.py runs it without make:
# Jupyter Lab on chapters/, with --allow-root when run as root (Jupyter refuses
# root otherwise, which containers and cloud machines are).
# Usage: tools/lab.sh JUPYTER [OPTION...]   (the test adds a port and no browser)
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 JUPYTER [OPTION...]" >&2
  exit 2
fi
jupyter=$1
shift
options=("$@")
if [ "$(id -u)" -eq 0 ]; then
  options=(--allow-root "${options[@]}")
fi
exec "$jupyter" lab "${options[@]}" "$(cd "$(dirname "$0")/.." && pwd)/chapters"
