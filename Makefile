# Appeals Ledger. `make run` and `make test` work on a fresh machine: they create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JS := tests/api/js
JSSTAMP := $(JS)/node_modules/.installed

.PHONY: install run serve test lint typecheck contracts pytest bench schema clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(JSSTAMP): $(JS)/package.json $(JS)/package-lock.json
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	@touch $(JSSTAMP)

run: $(STAMP)
	$(BIN)/appeals run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check ledger projections api bench tests

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP) $(JSSTAMP)
	$(BIN)/pytest

test: lint typecheck contracts pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(JS)/node_modules var .mypy_cache .pytest_cache .ruff_cache
