# Kefu — the commands the README names. Only Python ≥ 3.11 and pip are needed.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PIP     = $(BIN)/python -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
SEED   ?= 2026
CUSTOMERS ?= 3000

.PHONY: demo serve worker test test-fast test-browser lint bench bench-customers bench-knowledge \
	bench-ivr bench-callbacks bench-tickets messages openapi-snapshot clean

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

## bench: the five benchmarks under bench/ in order, results in docs/benchmarks.md; each
## also runs alone (make bench-ivr …). All of them run even when one misses a target; the
## exit status is non-zero if any did. Variables:
##   BENCH_CUSTOMERS=1000000   customers of the customer database (ivr and callbacks use it)
##   BENCH_DATABASE_URL=…      PostgreSQL for customers, ivr and callbacks (default: the SQLite
##                             file var/bench/customers-$(BENCH_CUSTOMERS).sqlite3)
##   BENCH_TICKETS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench_tickets
##   HELPDESK_PYTHON=/tmp/helpdesk-venv/bin/python   django-helpdesk side (skipped without)
##   BENCH_ARGS=… (bench/customers.py), KNOWLEDGE_ARGS, IVR_ARGS, CALLBACKS_ARGS, TICKETS_ARGS:
##                             more options for one script, e.g. IVR_ARGS="--duration 30"
BENCH_CUSTOMERS ?= 1000000
BENCH_DATABASE_URL ?=
BENCH_TICKETS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kefu_bench_tickets
HELPDESK_PYTHON ?=
BENCH_DB = $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))
BENCH_IVR_DB = $(or $(BENCH_DATABASE_URL),sqlite:///$(CURDIR)/var/bench/customers-$(BENCH_CUSTOMERS).sqlite3)

bench: $(VENV)/.installed
	@status=0; for b in customers knowledge ivr callbacks tickets; do \
	  $(MAKE) --no-print-directory bench-$$b || status=1; done; exit $$status

bench-customers: $(VENV)/.installed
	$(BIN)/python bench/customers.py --customers $(BENCH_CUSTOMERS) $(BENCH_DB) $(BENCH_ARGS)

bench-knowledge: $(VENV)/.installed
	$(BIN)/python bench/knowledge.py $(KNOWLEDGE_ARGS)

bench-ivr: $(VENV)/.installed
	$(BIN)/python bench/ivr.py --database-url $(BENCH_IVR_DB) $(IVR_ARGS)

bench-callbacks: $(VENV)/.installed
	$(BIN)/python bench/callbacks.py --customers $(BENCH_CUSTOMERS) $(BENCH_DB) $(CALLBACKS_ARGS)

bench-tickets: $(VENV)/.installed
	$(BIN)/python bench/tickets.py --database-url $(BENCH_TICKETS_DATABASE_URL) \
	  $(if $(HELPDESK_PYTHON),--helpdesk-python $(HELPDESK_PYTHON)) $(TICKETS_ARGS)

messages: $(VENV)/.installed
	cd kefu && ../$(BIN)/kefu makemessages -l zh_Hans -l en --no-obsolete --no-location
	$(BIN)/python scripts/compile_messages.py

openapi-snapshot: $(VENV)/.installed
	KEFU_UPDATE_SNAPSHOTS=1 $(BIN)/pytest -q tests/test_api.py -k snapshot

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache
