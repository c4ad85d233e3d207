# The two commands a fresh machine needs (see README):
#   make run    create the environment, build the store from data/, validate it, serve
#   make test   install what the tests need (Python packages, Debian chromium), run every test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
LCGRAPH = $(VENV)/bin/lcgraph
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-test build validate serve browser-deps lint fmt bench screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

build: install
	$(LCGRAPH) build

validate: install
	$(LCGRAPH) validate

serve: install
	$(LCGRAPH) serve --host $(HOST) --port $(PORT)

run: install
	$(LCGRAPH) build
	$(LCGRAPH) validate
	$(LCGRAPH) serve --host $(HOST) --port $(PORT)

# Debian's chromium and chromium-driver for the browser tests; installed when missing.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  echo "installing Debian chromium + chromium-driver for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# make turns any failing recipe into its own exit status 2, so pytest's exit 5 (no test was
# collected: a broken checkout, a wrong PYTEST_ARGS) is named here, and fails like any other.
test: install-test browser-deps
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5): failing" >&2; fi; \
	exit $$rc

lint: install-test
	$(VENV)/bin/ruff check lcgraph tests bench
	$(VENV)/bin/ruff format --check lcgraph tests bench

fmt: install
	$(LCGRAPH) fmt

bench: install-test
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(PY) bench/run.py

screenshots: install-test browser-deps
	$(PY) docs/make_screenshots.py

clean:
	rm -rf .lcgraph .pytest_cache
