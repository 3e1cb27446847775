# Quick start: `make serve` (set up, build the store, serve) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kg

.PHONY: setup setup-dev serve lint test java chromium vendor

# serving needs the package only; the tests also need the dev extras (pytest, Playwright, native oxigraph...)
setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Java runs HermiT (owlready2 ships the jar): the build needs it. Chromium drives the browser tests only.
java:
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless)

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

serve: setup java
	$(KG) serve

# ruff and mypy are configured in pyproject.toml
lint: setup-dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

test: lint java chromium
	$(PY) -m pytest

# The browser assets (YASQE/YASR editor, axe-core for the accessibility test) come from npm at pinned versions
# (frontend/package-lock.json) and are committed under static/vendor/, so serving needs no npm and no CDN.
VENDOR := src/kg/api/static/vendor
vendor:
	cd frontend && npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	for f in yasqe/build/yasqe.min.js yasqe/build/yasqe.min.css yasr/build/yasr.min.js yasr/build/yasr.min.css; do \
	  sed '/sourceMappingURL=/d' frontend/node_modules/@zazuko/$$f > $(VENDOR)/$$(basename $$f); done
	cp frontend/node_modules/axe-core/axe.min.js frontend/node_modules/axe-core/LICENSE $(VENDOR)/
	mv $(VENDOR)/LICENSE $(VENDOR)/LICENSE-axe-core.txt
	cd frontend && node licences.mjs > ../$(VENDOR)/LICENSES.md
