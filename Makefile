# Appeals Ledger. `make run` and `make test` work on a fresh machine: they create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JS := tests/api/js
JSSTAMP := $(JS)/node_modules/.installed
# GraphiQL's assets: pinned npm packages copied into the app, so the page needs no CDN.
WEB := web/graphiql
VENDOR := api/graphiql/static/vendor
VENDORSTAMP := $(VENDOR)/.installed
# The browser test drives Debian's chromium: no step downloads a browser build.
CHROMIUM := /usr/bin/chromium
GOMOD := /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog/tile.go
SUDO := $(shell test "$$(id -u)" = 0 || echo sudo)

.PHONY: go-judge install bytecode run test lint typecheck contracts pytest bench soak schema clean

install: $(STAMP) $(VENDORSTAMP) bytecode

# An editable install compiles none of our modules, and where PYTHONDONTWRITEBYTECODE is set (as
# on our CI machine) no import writes them either: every process start compiled all ~290 of them
# again, 0.2 s of CPU a restarted server spent before it served. Only stale ones are written.
PACKAGES := ledger projections audit demo migration api opendata channels
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q $(PACKAGES) >/dev/null

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(JSSTAMP): $(JS)/package.json $(JS)/package-lock.json
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	@touch $(JSSTAMP)

$(VENDORSTAMP): $(WEB)/package.json $(WEB)/package-lock.json
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/explorer
	cd $(WEB)/node_modules && cp react/umd/react.production.min.js \
		react-dom/umd/react-dom.production.min.js graphiql/graphiql.min.js \
		graphiql/graphiql.min.css $(CURDIR)/$(VENDOR)/
	cp $(WEB)/node_modules/@graphiql/plugin-explorer/dist/index.umd.js \
		$(WEB)/node_modules/@graphiql/plugin-explorer/dist/style.css $(VENDOR)/explorer/
	@touch $(VENDORSTAMP)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends chromium

# The transparency tests' judge is Go's sumdb/note and sumdb/tlog, from Debian's packages:
# built offline in GOPATH mode against /usr/share/gocode (tests/tlog/judge.py).
go-judge: $(GOMOD)

$(GOMOD):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends golang-go golang-golang-x-mod-dev

run: $(STAMP) $(VENDORSTAMP) bytecode
	$(BIN)/appeals run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

TEST_WORKERS ?= 2

pytest: $(STAMP) $(JSSTAMP) $(VENDORSTAMP) $(CHROMIUM) $(GOMOD) bytecode
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=30

test: lint typecheck contracts pytest

bench: $(STAMP) bytecode
	$(BIN)/python -m bench

# The long soak (10 minutes on a PostgreSQL of its own; MINUTES=N to change, STORE=sqlite).
soak: $(STAMP) bytecode
	$(BIN)/python -m bench.soak --minutes $(or $(MINUTES),10) --store $(or $(STORE),postgresql)

# The GraphQL schema file is generated from the code; a test fails when it drifts.
schema: $(STAMP)
	$(BIN)/appeals schema --write schema.graphql

clean:
	rm -rf $(VENV) $(JS)/node_modules $(WEB)/node_modules $(VENDOR) var .mypy_cache .pytest_cache .ruff_cache
