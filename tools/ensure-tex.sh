#!/usr/bin/env bash
# Make what `make pdf` needs available: XeLaTeX, latexmk, the LaTeX packages
# Sphinx's output and the Chinese edition load (xeCJK, ctex's zhnumber and
# Fandol Kai), the fonts (GNU FreeFont for Latin, Noto CJK SC for Chinese) and
# poppler's pdftotext and pdftoppm for the test. What is missing is installed
# with apt-get where that is usable (root or password-less sudo), as Debian
# and Ubuntu packages:
#   texlive-xetex latexmk texlive-latex-extra texlive-fonts-recommended
#   texlive-lang-chinese texlive-lang-cjk fonts-freefont-otf fonts-noto-cjk
#   fonts-lmodern poppler-utils
# Elsewhere install those (or TeX Live with the same packages and fonts) by
# hand; tools/build_book.py then says what is still missing.
set -euo pipefail

packages=()
need_command() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }
need_tex_file() {
  if ! command -v kpsewhich >/dev/null 2>&1 || [ -z "$(kpsewhich "$1" 2>/dev/null)" ]; then
    packages+=("$2")
  fi
}
need_font() {
  if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list "$1" 2>/dev/null | head -n 1)" ]; then
    packages+=("$2")
  fi
}

need_command xelatex texlive-xetex
need_command latexmk latexmk
need_command pdftotext poppler-utils
need_tex_file fncychap.sty texlive-latex-extra
need_tex_file pzdr.tfm texlive-fonts-recommended   # hyperref's XeTeX driver loads it
need_tex_file zhnumber.sty texlive-lang-chinese
need_tex_file xeCJK.sty texlive-lang-cjk
need_tex_file latinmodern-math.otf fonts-lmodern
need_font FreeSerif fonts-freefont-otf
need_font "Noto Serif CJK SC" fonts-noto-cjk
[ "${#packages[@]}" -eq 0 ] && exit 0
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)

source "$(dirname "$0")/apt-install.sh"
apt_install "make pdf" "${packages[@]}" \
  || echo "Install TeX Live with XeLaTeX, latexmk, xeCJK and ctex, and the FreeFont" \
          "and Noto CJK SC fonts, by hand." >&2
