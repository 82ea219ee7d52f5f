# Two commands do all the set-up on a fresh machine: `make dev` runs the product, `make test`
# runs the tests. Both create .venv and install the project into it first; `make test` also
# installs the JS client tests (tests/clients) with npm.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev test lint install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The JS clients of tests/e2e/test_js_clients.py (Apollo, graphql-ws, relay-compiler,
# graphql-http), installed exactly as locked; needs node 20+ and npm.
CLIENTS := tests/clients
$(CLIENTS)/node_modules/.installed: $(CLIENTS)/package.json $(CLIENTS)/package-lock.json
	cd $(CLIENTS) && npm ci --no-audit --no-fund
	touch $@

install: $(BIN)/.installed

dev: $(BIN)/.installed
	$(BIN)/trusthub dev

test: $(BIN)/.installed $(CLIENTS)/node_modules/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(CLIENTS)/node_modules .pytest_cache .mypy_cache .ruff_cache trusthub-dev.db*
