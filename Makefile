# Two commands do all the set-up on a fresh machine: `make dev` runs the product, `make test`
# runs the tests. Both create .venv; `dev` installs only what running needs, `test` adds the
# test extras and the JS client tests (tests/clients, with npm), and needs PostgreSQL and
# RabbitMQ (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per install: `make test` after `make dev` adds the extras, and either reinstalls
# when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: pyproject.toml | $(BIN)/python
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

# The tests that execute GraphQL (the outage test: 503s through error masking), run a second
# time with the fast path off (schema/fastpath/, GRAPHQL_FASTPATH): the gateway must answer
# the same on the libraries' own paths.
GRAPHQL_TESTS := tests/schema tests/web tests/e2e tests/documents \
	tests/faults/test_database_outage.py tests/test_docs.py tests/test_bench_baseline.py

test: $(BIN)/.installed-test $(CLIENTS)/node_modules/.installed
	$(BIN)/python -m pytest
	GRAPHQL_FASTPATH=false $(BIN)/python -m pytest -q $(GRAPHQL_TESTS)

lint: $(BIN)/.installed-test
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(CLIENTS)/node_modules .pytest_cache .mypy_cache .ruff_cache trusthub-dev.db*
