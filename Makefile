# Two commands do all the set-up on a fresh machine: `make dev` runs the product, `make test`
# runs the tests. Both create .venv; `dev` installs only what running needs, `test` adds the
# test extras and the JS client tests (tests/clients, with npm), and needs PostgreSQL and
# RabbitMQ (see README.md). Both install the exact versions of requirements/*.lock; `make lock`
# regenerates the locks from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev test lint install lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per install: `make test` after `make dev` adds the extras, and either reinstalls
# when its lock or pyproject.toml changes. The lock holds every dependency, so the project
# itself goes in with --no-deps: what runs is exactly what was locked and tested.
$(BIN)/.installed: requirements/runtime.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/runtime.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(BIN)/.installed-test: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The locks are resolved for Python 3.11 on Linux x86_64 (the image's python:3.11-slim and CI),
# by pip-tools in a venv of its own so that it never lands in the tested set. Existing pins are
# kept; LOCK_ARGS=--upgrade (or --upgrade-package NAME) moves them. test.lock is resolved first
# and constrains runtime.lock, so the two agree on every shared package.
LOCK_PYTHON ?= python3.11
LOCK_VENV := .venv-lock
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet \
	--strip-extras --no-emit-index-url --no-emit-trusted-host --no-emit-find-links $(LOCK_ARGS)

$(LOCK_VENV)/bin/pip-compile:
	$(LOCK_PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet 'pip-tools>=7.5,<8'

lock: | $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) --extra test --output-file requirements/test.lock pyproject.toml
	$(PIP_COMPILE) --constraint requirements/test.lock --output-file requirements/runtime.lock \
		pyproject.toml

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
	rm -rf $(VENV) $(LOCK_VENV) $(CLIENTS)/node_modules .pytest_cache .mypy_cache .ruff_cache trusthub-dev.db*
