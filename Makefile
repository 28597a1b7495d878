# Kefu — the commands the README names. Only Python ≥ 3.11 and pip are needed.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PIP     = $(BIN)/python -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
SEED   ?= 2026
CUSTOMERS ?= 3000

.PHONY: demo serve worker test test-fast test-browser lint bench messages openapi-snapshot clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Kefu needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(PIP) install --quiet -e ".[dev]"
	@touch $@

## demo: set up everything and start Kefu with demo data on SQLite at http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/kefu demo --seed $(SEED) --customers $(CUSTOMERS) --serve --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	$(BIN)/kefu serve --host $(HOST) --port $(PORT)

worker: $(VENV)/.installed
	$(BIN)/kefu worker

## test: the whole test suite (browser tests need Debian's chromium: apt-get install chromium)
test: $(VENV)/.installed
	$(BIN)/pytest -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"

test-browser: $(VENV)/.installed
	$(BIN)/pytest -m browser

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kefu
	$(BIN)/kefu makemigrations --check --dry-run
	$(BIN)/python scripts/compile_messages.py --strict > /dev/null

## bench: benchmarks under bench/, results in docs/benchmarks.md
## (1,000,000 customers by default; BENCH_ARGS="--customers 10000" for a quick run,
##  BENCH_ARGS="--database-url postgres://…/kefu_bench" for PostgreSQL)
bench: $(VENV)/.installed
	$(BIN)/python bench/customers.py $(BENCH_ARGS)

messages: $(VENV)/.installed
	cd kefu && ../$(BIN)/kefu makemessages -l zh_Hans -l en --no-obsolete --no-location
	$(BIN)/python scripts/compile_messages.py

openapi-snapshot: $(VENV)/.installed
	KEFU_UPDATE_SNAPSHOTS=1 $(BIN)/pytest -q tests/test_api.py -k snapshot

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache
