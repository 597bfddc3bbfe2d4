# Two commands take a fresh machine to a built book (make book) and to passing
# tests (make test); every target installs what it needs first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHAPTERS := $(wildcard chapters/*.md)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help book pdf pdfcheck test lint unit pairs nbval colab colab-venv colab-run browser lab sync translations clean distclean data seed-sweep mutation system pdfcheck-where-tex

help:
	@echo "make book   build the HTML book in English (_build/html/index.html) and Chinese"
	@echo "            (_build/html/zh_CN/index.html), executing every chapter once, and each"
	@echo "            chapter's reader notebook in both languages (_build/notebooks)"
	@echo "make pdf    the book as PDF, in English and Chinese (_build/pdf), with XeLaTeX;"
	@echo "            installs TeX Live with apt where it can"
	@echo "make test   ruff, unit tests, pairing check, strict book build, every reader notebook"
	@echo "            under nbval on a simulated Colab,"
	@echo "            both PDFs checked (when CI=true or XeLaTeX is installed), then every page"
	@echo "            of the book checked in headless Chromium (make browser)"
	@echo "make colab  make book, then every reader notebook under nbval on a simulated Colab (part"
	@echo "            of make test); make nbval runs the authors' notebooks in the development environment"
	@echo "make seed-sweep  run the chapters with accuracy bounds with seeds 0-9 (slow; weekly in CI)"
	@echo "make mutation  mutation testing of lesson_utils with mutmut (slow; ONLY='lesson_utils.i18n*' narrows it)"
	@echo "make lab    open the chapters in Jupyter Lab (Jupytext pairs .md and .ipynb)"
	@echo "make sync   bring each chapter's .md and .ipynb back in sync"
	@echo "make translations  update the Chinese catalogs (locales/zh_CN) after English text changed"
	@echo "make clean  remove _build; make distclean also removes .venv"

# The virtual environment, rebuilt when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

# Fashion-MNIST: from apt where it is missing and apt-get is usable, else the
# loader downloads it (see README, "Data"); then staged in the cache. Targets that read it
# depend on $(DATA); one that calls make again passes DATA= so that it runs once per command.
DATA ?= data
data: $(STAMP)
	bash tools/ensure-system.sh data
	$(BIN)/python -c 'from lesson_utils import fashion_mnist_root; print("Fashion-MNIST is staged in", fashion_mnist_root() / "FashionMNIST" / "raw")'

book: $(DATA)
	bash tools/ensure-system.sh book
	$(BIN)/python tools/build_book.py html

# Both editions as PDF: Sphinx's LaTeX output of the same pages and the same
# execution cache (make book fills it; a chapter missing from it is executed),
# typeset by XeLaTeX. Also copied to _build/html/pdf, where the intro links them.
pdf: $(DATA)
	bash tools/ensure-system.sh book tex
	$(BIN)/python tools/build_book.py pdf

# The PDFs built, then read back with pdftotext (tests/pdf).
pdfcheck: pdf
	$(BIN)/python -m pytest -m pdf tests/pdf -p no:cacheprovider

# Message templates from the English text, then the catalogs: new messages
# empty, changed ones marked fuzzy, translations kept. Translate those, then
# make test (the Chinese build names every message still untranslated). Last,
# lesson_utils' own catalog (figure words, class names) compiled to its .mo. The
# languages are _config.yml's editions (tools/build_book.py).
translations: $(DATA)
	$(BIN)/python tools/build_book.py translations

# ruff over the package, tests, tools, extensions and the chapters' notebooks
# (pyproject.toml); first in make test, because it takes a second.
lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/python -m pytest tests src/lesson_utils --doctest-modules

pairs: $(STAMP)
	$(BIN)/python -m pytest tests/test_chapters.py -q

nbval: $(DATA)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider chapters

# Steps run side by side on the two cores, each one's output shown when it ends:
# 1. every system part the run needs (apt: the data, the fonts, Chromium, and TeX Live where
#    the PDFs are tested) beside the installation of .venv, so that no later step's order
#    matters (the unit tests draw Chinese figures too);
# 2. the book (its chapters executed two at a time: tools/build_book.py) beside the unit tests
#    and the installation of the Colab simulation's environment;
# 3. the Colab simulation beside the PDFs and the browser test (all read the built book).
# Beside another step PyTorch gets one thread (OMP_NUM_THREADS=1): with two, its threads
# spin-wait for a core the other step holds (the simulation took 413 s instead of 176 s).
SYSTEM_PARTS = data book browser $$( [ "$${CI:-}" = true ] && echo tex )
test:
	$(MAKE) --no-print-directory -j2 --output-sync=target system $(STAMP)
	$(MAKE) --no-print-directory data lint
	OMP_NUM_THREADS=1 $(MAKE) --no-print-directory -j3 --output-sync=target DATA= book unit \
	  colab-venv
	OMP_NUM_THREADS=1 $(MAKE) --no-print-directory -j3 --output-sync=target DATA= colab-run \
	  pdfcheck-where-tex browser

system:
	bash tools/ensure-system.sh $(SYSTEM_PARTS)

pdfcheck-where-tex:
	if [ "$${CI:-}" = true ] || command -v xelatex >/dev/null; then \
	  $(MAKE) --no-print-directory pdfcheck; \
	else echo "No XeLaTeX here, so no PDF test (make pdf installs TeX Live where apt works)."; fi

# The book first (it writes the reader notebooks, _build/notebooks), then every chapter's
# reader notebook under nbval on a simulated Colab: a bare environment (torch, torchvision,
# numpy, matplotlib, ipykernel, pytest, nbval), the first cell installing the package
# (tests/colab/test_colab.py); and the notebooks read like their pages
# (tests/colab/test_reader_notebooks.py).
colab: book
	$(MAKE) --no-print-directory DATA= colab-run

colab-venv:
	$(PYTHON) tools/colab_venv.py

colab-run: $(DATA) colab-venv
	$(BIN)/python -m pytest -m colab tests/colab -p no:cacheprovider

# The chapters whose checks bound an accuracy, each executed with seeds 0 to 9:
# every assertion must hold for every seed (tools/seed_sweep.py). Slow, so not
# part of make test; .github/workflows/seed-sweep.yml runs it every week.
SWEEP_CHAPTERS := chapters/08_softmax_scratch.md chapters/09_softmax_concise.md chapters/10_evaluating.md
SEEDS ?= 0-9
seed-sweep: $(DATA)
	$(BIN)/python tools/seed_sweep.py $(SWEEP_CHAPTERS) --seeds $(SEEDS)

# Every page of the built book (_build/html, or BOOK_HTML_DIR) opened in headless
# Chromium; screenshots go to _build/screenshots. Installs Chromium where apt can.
browser: $(STAMP)
	bash tools/ensure-system.sh browser
	$(BIN)/python -m pytest -m browser tests/browser -p no:cacheprovider

# Mutation testing with mutmut (pyproject.toml's [tool.mutmut]): by hand, it takes long.
# `$(BIN)/mutmut results` lists the survivors, `$(BIN)/mutmut show NAME` shows one.
MUTMUT := mutmut==3.8.1
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet $(MUTMUT)
	$(BIN)/mutmut run $(ONLY)

# Jupyter Lab on chapters/; --allow-root lets it start as root too (containers, cloud
# machines), and changes nothing for anyone else. LAB_ARGS passes more options.
LAB_ARGS ?=
lab: $(DATA)
	$(BIN)/jupyter lab --allow-root $(LAB_ARGS) chapters

sync: $(STAMP)
	$(BIN)/jupytext --sync $(CHAPTERS)

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
