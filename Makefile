# digiguide: two commands on a fresh machine.
#   make run   set everything up, then serve the web chat (and Telegram when a token is set)
#   make test  set everything up, then run the whole suite (on TEST_WORKERS processes)
# Every set-up step is a file target, so a second run with nothing changed takes seconds.
# NLU=keywords (or RASA_URL for `run`) skips the 2.5 GB Rasa environment altogether.
# OCR=off skips Tesseract (residents' pictures are then answered "cháu chưa đọc được ảnh").

SHELL := /bin/bash
.DEFAULT_GOAL := run
export UV_PYTHON_DOWNLOADS := never
export UV_CACHE_DIR ?= $(HOME)/.cache/uv

# A Python interpreter of the given minor version (pyenv shims may hide it from PATH).
find_python = $(firstword $(foreach p,python$(1) $(wildcard $(HOME)/.pyenv/versions/$(1).*/bin/python$(1)) /usr/bin/python$(1),$(shell $(p) -c 'import sys; print(sys.executable)' 2>/dev/null)))
PY311 ?= $(call find_python,3.11)
PY310 ?= $(call find_python,3.10)
UV := .venv-uv/bin/uv
PY := .venv/bin/python

# Rasa's environment only when a local Rasa is used; without it, no Rasa tests either.
ifeq ($(filter keywords KEYWORDS Keywords,$(NLU)),)
RUN_NLU := $(if $(RASA_URL),,nlu-env)
TEST_NLU := nlu-env
PYTEST_ARGS ?=
else
RUN_NLU :=
TEST_NLU :=
PYTEST_ARGS ?= -m "not rasa"
endif
# The suite runs on pytest-xdist workers; the Rasa tests share one worker (their server and
# model), see docs/tests.md. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 3
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)

# A long step with a heartbeat every 10 s: the time so far and the size of what it builds
# (uv itself is quiet here, and shows progress bars only on a terminal).
# $(call progress,COMMAND,DIRECTORY)
progress = start=$$(date +%s); ( $(1) ) & pid=$$!; \
	while kill -0 $$pid 2>/dev/null; do \
	  for tick in 1 2 3 4 5 6 7 8 9 10; do sleep 1; kill -0 $$pid 2>/dev/null || break; done; \
	  if kill -0 $$pid 2>/dev/null; then \
	    echo "    ... $$(( $$(date +%s) - start )) s: $(2) holds $$(du -sh $(2) 2>/dev/null | cut -f1)" \
	      "so far (packages are downloaded first, then installed)"; fi; \
	done; wait $$pid && echo "    done in $$(( $$(date +%s) - start )) s"

# Tesseract with its Vietnamese model and a font with Vietnamese glyphs (the screenshot tests
# and benchmark draw their pictures with it), unless OCR=off.
ifeq ($(filter off OFF Off 0 no,$(OCR)),)
OCR_TOOLS := ocr
else
OCR_TOOLS :=
endif

.PHONY: run test test-fast lint setup nlu-env browser ocr clean

run: setup $(RUN_NLU) $(OCR_TOOLS)
	$(PY) -m bot serve

test: setup $(TEST_NLU) browser $(OCR_TOOLS)
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# Everything but the Rasa and browser tests: no Rasa environment or Chromium needed.
test-fast: setup $(OCR_TOOLS)
	$(PY) -m pytest $(XDIST) -m "not rasa and not browser"

lint: setup
	.venv/bin/ruff check bot bench tests
	.venv/bin/mypy

setup: .venv/.synced

$(UV):
	@test -n "$(PY311)" || { echo "Python 3.11 not found (install it, e.g. with pyenv)"; exit 1; }
	@echo "==> Installing uv (the package installer) into .venv-uv"
	$(PY311) -m venv .venv-uv
	.venv-uv/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

.venv/.synced: $(UV) pyproject.toml uv.lock
	@echo "==> The bot's environment .venv (Python 3.11, from uv.lock; ~450 MB, seconds once cached)"
	@$(call progress,$(UV) sync --frozen --python $(PY311) --quiet,.venv)
	@touch $@

# Rasa 3.6 needs Python < 3.11 and SQLAlchemy 1.4: it gets its own environment.
nlu-env: .venv-nlu/.synced

.venv-nlu/.synced: $(UV) nlu/requirements.lock
	@test -n "$(PY310)" || { echo "Python 3.10 not found (install it, e.g. with pyenv)"; exit 1; }
	@echo "==> Rasa's environment .venv-nlu (Python 3.10, ~2.5 GB: several minutes the first time;"
	@echo "    NLU=keywords make run skips it)"
	$(UV) venv --allow-existing --python $(PY310) --quiet .venv-nlu
	@$(call progress,$(UV) pip sync --python .venv-nlu/bin/python --quiet nlu/requirements.lock,.venv-nlu)
	@touch $@

# Headless Chromium for the browser test, from Debian's packages (no browser download).
browser: .venv/.chromium

.venv/.chromium:
	@command -v chromium >/dev/null || { echo "==> Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@touch $@

# Reading residents' screenshots: Debian's Tesseract and its `vie` model (no model download).
ocr: .venv/.tesseract

.venv/.tesseract:
	@{ command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie \
	   && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } || { \
	  echo "==> Installing Debian's tesseract-ocr, tesseract-ocr-vie and fonts-dejavu-core"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    tesseract-ocr tesseract-ocr-vie fonts-dejavu-core >/dev/null; }
	@touch $@

clean:
	rm -rf .venv .venv-uv .venv-nlu data models
