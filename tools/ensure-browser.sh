#!/usr/bin/env bash
# Make headless Chromium, ChromeDriver and a Chinese font available to the
# browser test (tests/browser). Chromium counts as there when CHROMIUM and
# CHROMEDRIVER name them, or Debian's /usr/bin/chromium and /usr/bin/chromedriver
# exist, or a Chrome and a chromedriver are on PATH (as on GitHub's Ubuntu
# runners). What is missing is installed with apt-get where that is usable
# (root or password-less sudo): Debian's chromium and chromium-driver, and
# fonts-wqy-microhei so that the screenshots show the Chinese terms instead of
# empty boxes. On Ubuntu, chromium and chromium-driver only install a snap,
# which does not run in containers or CI: there, install Google Chrome and its
# chromedriver, or set CHROMIUM and CHROMEDRIVER.
# Never fails: where nothing can be installed, the test itself says so (and
# fails when CI=true).
set -euo pipefail

have_browser() {
  local browser="${CHROMIUM:-}" driver="${CHROMEDRIVER:-}" name
  if [ -z "$browser" ]; then
    for name in /usr/bin/chromium chromium chromium-browser google-chrome google-chrome-stable; do
      browser=$(command -v "$name" 2>/dev/null || true)
      [ -n "$browser" ] && break
    done
  fi
  if [ -z "$driver" ]; then
    driver=$(command -v /usr/bin/chromedriver 2>/dev/null || command -v chromedriver 2>/dev/null || true)
  fi
  if [ -n "$browser" ] && [ -x "$browser" ] && [ -n "$driver" ] && [ -x "$driver" ]; then
    echo "Browser test: $("$browser" --version 2>/dev/null || echo "$browser")," \
         "$("$driver" --version 2>/dev/null | cut -d' ' -f1-2 || echo "$driver")"
    return 0
  fi
  return 1
}

have_chinese_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]
}

packages=()
have_browser || packages+=(chromium chromium-driver)
have_chinese_font || packages+=(fonts-wqy-microhei)
[ "${#packages[@]}" -eq 0 ] && exit 0

source "$(dirname "$0")/apt-install.sh"
if ! apt_install "the browser test" "${packages[@]}"; then
  echo "Install them by hand, or set CHROMIUM and CHROMEDRIVER." >&2
  exit 0
fi
have_browser || echo "Chromium or ChromeDriver still missing after the install." >&2
