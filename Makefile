# The README's two commands: `make book` builds the book, `make test` runs every test.
# Both set up everything on a fresh machine (a venv in .venv/ with pinned packages).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ARTIFACTS := test-artifacts
AXE_VERSION := 4.14.1
AXE := node_modules/axe-core/axe.min.js

# Debian packages the browser and PDF tests need, and a command each provides
DEBIAN_PACKAGES := chromium poppler-utils npm
SYSTEM_COMMANDS := chromium pdfinfo pdftotext pdffonts pdfimages pdftoppm npm

.PHONY: help install system book book-fresh test lint unit notebooks browser determinism clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@echo ">> creating $(VENV) with $(PYTHON) and installing pinned packages"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@# ipykernel 7 logs "running over TCP without encryption" at start-up, and that line can
	@# land in whichever cell runs next, making outputs differ between runs (nbval fails).
	mkdir -p $(VENV)/etc/ipython
	printf 'c.IPKernelApp.log_level = "ERROR"\n' > $(VENV)/etc/ipython/ipython_kernel_config.py
	@touch $(STAMP)

install: $(STAMP) ## Create the venv and install the package (pinned)

system: ## Debian's chromium, poppler-utils and npm (installed with apt-get when run as root)
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing /usr/bin/chromium"; \
	for c in $(SYSTEM_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo ">> installing Debian's $(DEBIAN_PACKAGES) (missing:$$missing)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && \
	  apt-get install -y -qq -o DPkg::Lock::Timeout=300 $(DEBIAN_PACKAGES) >/dev/null; \
	  still=""; [ -x /usr/bin/chromium ] || still="$$still /usr/bin/chromium"; \
	  for c in $(SYSTEM_COMMANDS); do command -v $$c >/dev/null 2>&1 || still="$$still $$c"; done; \
	  if [ -n "$$still" ]; then echo "still missing after apt-get:$$still" >&2; exit 2; fi; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "make test needs$$missing. Install them with:" >&2; \
	  echo "  sudo apt-get update && sudo apt-get install -y $(DEBIAN_PACKAGES)" >&2; \
	  exit 2; \
	else \
	  echo "make test needs$$missing, from Debian's packages $(DEBIAN_PACKAGES)" >&2; \
	  echo "  (chromium at /usr/bin/chromium); install them with your system's package manager" >&2; \
	  exit 2; \
	fi

book: $(STAMP) ## Verify the data, execute the notebooks (papermill) and build the book
	$(BIN)/chsreport data verify
	$(BIN)/chsreport build
	@echo ">> open $(CURDIR)/_build/html/index.html"

book-fresh: $(STAMP) ## Rebuild the book from scratch (re-execute every notebook)
	rm -rf _build/stage _build/jb
	$(BIN)/chsreport data verify
	$(BIN)/chsreport build --fresh

lint: $(STAMP) ## ruff on the package, tests and benchmarks
	$(BIN)/ruff check src tests benchmarks

unit: $(STAMP) ## Unit tests of the package (no built book needed)
	$(BIN)/pytest -m "not book and not determinism" tests

determinism: $(STAMP) ## Two clean builds (warm and fresh kernels) must give the same book
	$(BIN)/pytest -m determinism tests

notebooks: ## nbval on the executed chapters and three fixed locality pages (tests/nbval_sample.py)
	$(BIN)/pytest -p no:cacheprovider --nbval $$($(BIN)/python tests/nbval_sample.py) \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env

$(AXE): ## axe-core (accessibility rules, run inside each page) from the npm registry
	npm install --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION)

browser: system $(AXE) ## Headless Chromium on the built book (with axe-core)
	mkdir -p $(ARTIFACTS)
	$(BIN)/pytest -m book tests

test: system book lint unit notebooks browser determinism ## Install what the tests need, build the book, run every test
	@echo ">> all tests passed"

clean: ## Remove the build (keeps the venv)
	rm -rf _build $(ARTIFACTS)
