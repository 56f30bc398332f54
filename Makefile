# digiguide: two commands on a fresh machine.
#   make run   set everything up, then serve the web chat (and Telegram when a token is set)
#   make test  set everything up, then run the whole suite
# Every set-up step is a file target, so a second run with nothing changed takes seconds.

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

.PHONY: run test lint setup nlu-env browser clean

run: setup nlu-env
	$(PY) -m bot serve

test: setup nlu-env browser
	$(PY) -m pytest

lint: setup
	.venv/bin/ruff check bot tests
	.venv/bin/mypy

setup: .venv/.synced

$(UV):
	@test -n "$(PY311)" || { echo "Python 3.11 not found (install it, e.g. with pyenv)"; exit 1; }
	$(PY311) -m venv .venv-uv
	.venv-uv/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PY311) --quiet
	@touch $@

# Rasa 3.6 needs Python < 3.11 and SQLAlchemy 1.4: it gets its own environment.
nlu-env: .venv-nlu/.synced

.venv-nlu/.synced: $(UV) nlu/requirements.lock
	@test -n "$(PY310)" || { echo "Python 3.10 not found (install it, e.g. with pyenv)"; exit 1; }
	$(UV) venv --allow-existing --python $(PY310) --quiet .venv-nlu
	$(UV) pip sync --python .venv-nlu/bin/python --quiet nlu/requirements.lock
	@touch $@

# Headless Chromium for the browser test, from Debian's packages (no browser download).
browser: .venv/.chromium

.venv/.chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@touch $@

clean:
	rm -rf .venv .venv-uv .venv-nlu data models
