#!/usr/bin/env bash
# Install the Debian/Ubuntu packages one part of the course needs, where they
# are missing and apt-get is usable (root, or password-less sudo); the Makefile
# calls it before `make data`, `make book`, `make pdf` and `make browser`.
# Usage: tools/ensure-system.sh PART... (each of data, book, browser, tex)
#   data     Fashion-MNIST (dataset-fashion-mnist), unless FASHION_MNIST_DIR is
#            set; without it lesson_utils downloads the files with torchvision.
#   book     a Chinese font (Noto Sans CJK SC) for the figures of the Chinese
#            edition, which the build draws with matplotlib.
#   browser  Chromium, ChromeDriver and a Chinese font for tests/browser (the
#            screenshots show the Chinese terms instead of empty boxes).
#            Chromium counts as there when CHROMIUM and CHROMEDRIVER name
#            them, or Debian's /usr/bin/chromium and /usr/bin/chromedriver
#            exist, or a Chrome and a chromedriver are on PATH (as on GitHub's
#            Ubuntu runners). On Ubuntu, chromium and chromium-driver only
#            install a snap, which does not run in containers or CI: there,
#            install Google Chrome and its chromedriver, or set CHROMIUM and
#            CHROMEDRIVER.
#   tex      what `make pdf` needs: XeLaTeX, latexmk, the LaTeX packages of
#            Sphinx's output and the Chinese edition (xeCJK, ctex's zhnumber,
#            Fandol), GNU FreeFont and Noto CJK SC, and poppler for the test.
# Never fails for want of apt: it says what is missing and what happens
# instead (the data is downloaded; tests/browser and tools/build_book.py say
# what they lack, and fail under CI=true).
set -euo pipefail

# What each part needs: part, Debian package, and how to tell it is there
# (a check below and its argument).
NEEDS='
data     dataset-fashion-mnist      have_dataset  /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
book     fonts-noto-cjk             have_font     Noto Sans CJK SC
browser  chromium                   have_chromium
browser  chromium-driver            have_chromium
browser  fonts-wqy-microhei         have_font     :lang=zh
tex      texlive-xetex              have_command  xelatex
tex      latexmk                    have_command  latexmk
tex      poppler-utils              have_command  pdftotext
tex      texlive-latex-extra        have_tex_file fncychap.sty
tex      texlive-fonts-recommended  have_tex_file pzdr.tfm
tex      texlive-lang-chinese       have_tex_file zhnumber.sty
tex      texlive-lang-cjk           have_tex_file xeCJK.sty
tex      fonts-lmodern              have_tex_file latinmodern-math.otf
tex      fonts-freefont-otf         have_font     FreeSerif
tex      fonts-noto-cjk             have_font     Noto Serif CJK SC
'
# pzdr.tfm: hyperref's XeTeX driver loads it.

have_dataset() { [ -n "${FASHION_MNIST_DIR:-}" ] || [ -f "$1" ]; }
have_command() { command -v "$1" >/dev/null 2>&1; }
have_tex_file() { have_command kpsewhich && [ -n "$(kpsewhich "$1" 2>/dev/null)" ]; }
have_font() { have_command fc-list && [ -n "$(fc-list "$1" 2>/dev/null | head -n 1)" ]; }

# Sets browser and driver to the executables the browser test would use.
have_chromium() {
  local name
  browser="${CHROMIUM:-}" driver="${CHROMEDRIVER:-}"
  if [ -z "$browser" ]; then
    for name in /usr/bin/chromium chromium chromium-browser google-chrome google-chrome-stable; do
      browser=$(command -v "$name" 2>/dev/null || true)
      [ -n "$browser" ] && break
    done
  fi
  if [ -z "$driver" ]; then
    driver=$(command -v /usr/bin/chromedriver 2>/dev/null || command -v chromedriver 2>/dev/null || true)
  fi
  [ -n "$browser" ] && [ -x "$browser" ] && [ -n "$driver" ] && [ -x "$driver" ]
}

# apt_install WHAT PACKAGE...: returns 1, saying why, where apt-get is not usable.
apt_install() {
  local what=$1 sudo="" start=$SECONDS
  shift
  if ! have_command apt-get; then
    echo "Missing for $what: $* (Debian/Ubuntu package names; no apt-get here)." >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if have_command sudo && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "Missing for $what: $* (apt-get needs root here)." >&2
      return 1
    fi
  fi
  echo "Installing for $what with apt: $*..."
  if ! { $sudo apt-get update -qq && \
         $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           "$@" >/dev/null; }; then
    echo "apt-get could not install $*." >&2
    return 1
  fi
  echo "Installed in $((SECONDS - start)) s."
}

# ensure PART: install what PART needs, or say what is missing and what happens instead.
ensure() {
  local part=$1 what instead row_part package check argument
  local -a missing=()
  case "$part" in
    data)    what="the chapters (Fashion-MNIST)"
             instead="lesson_utils will download Fashion-MNIST with torchvision instead." ;;
    book)    what="the Chinese edition's figures (a Chinese font)"
             instead="Install Noto Sans CJK SC (fonts-noto-cjk) by hand; without it the Chinese build fails on missing glyphs." ;;
    browser) what="the browser test"
             instead="Install them by hand, or set CHROMIUM and CHROMEDRIVER." ;;
    tex)     what="make pdf"
             instead="Install TeX Live with XeLaTeX, latexmk, xeCJK and ctex, and the FreeFont and Noto CJK SC fonts, by hand." ;;
    *)       echo "usage: $0 data|book|browser|tex" >&2
             exit 2 ;;
  esac

  while read -r row_part package check argument; do
    if [ "$row_part" = "$part" ] && ! "$check" "$argument"; then
      missing+=("$package")
    fi
  done <<< "$NEEDS"

  if [ "${#missing[@]}" -gt 0 ] && ! apt_install "$what" "${missing[@]}"; then
    echo "$instead" >&2
  fi
  if [ "$part" = browser ]; then
    if have_chromium; then
      echo "Browser test: $("$browser" --version 2>/dev/null || echo "$browser")," \
           "$("$driver" --version 2>/dev/null | cut -d' ' -f1-2 || echo "$driver")"
    else
      echo "Chromium or ChromeDriver is still missing; the browser test will say so." >&2
    fi
  fi
}

[ "$#" -gt 0 ] || { echo "usage: $0 data|book|browser|tex ..." >&2; exit 2; }
for part in "$@"; do
  ensure "$part"
done
