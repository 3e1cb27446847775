# Quick start: `make serve` (set up, build the store, serve) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kg

.PHONY: setup serve lint test system-deps

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Java runs HermiT (owlready2 ships the jar); Chromium drives the browser test.
system-deps:
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

serve: setup system-deps
	$(KG) serve

# ruff (style, imports, likely bugs) and mypy (types of src/kg); configured in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

test: lint system-deps
	$(PY) -m pytest
