# The three entry points: `make run`, `make test`, `make check`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make test` looks for the scale-out backends; both must answer for the second pass.
TEST_POSTGRES_URL ?= postgres://root@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run demo test test-sqlite test-services test-clock screenshot attack check schema fmt clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/passage serve --seed-demo --host $(HOST) --port $(PORT)

# The demo day (docs/demo.md): a fresh demo database seeded at 06:00 today, then one
# accelerated clock shared by the server and `passage simulate` (PASSAGE_CLOCK), from
# 07:30: at the default SPEED (simulated minutes per second) the day plays in about two
# minutes.
# The server's log is var/demo.log; Ctrl-C stops both.
SPEED ?= 6
DURATION ?= 150
DEMO_DB ?= var/demo.sqlite3
# A local URSSAF stand-in (var/urssaf.log), so the immediate advance plays end to end.
URSSAF_PORT ?= 8090
demo: install
	@mkdir -p var && rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@export DATABASE_URL=sqlite://$(DEMO_DB) LATENESS_POLL_SECONDS=0.5 \
		MESSAGE_OVERDUE_POLL_SECONDS=1 && \
	export PASSAGE_CLOCK=$$($(BIN)/passage demo-clock --start 06:00 --lead 0 --speed 0.01) && \
	$(BIN)/passage migrate >/dev/null && $(BIN)/passage seed-demo >/dev/null && \
	export PASSAGE_CLOCK=$$($(BIN)/passage demo-clock --speed $(SPEED) --lead 10) && \
	{ $(BIN)/passage urssaf-sandbox --host $(HOST) --port $(URSSAF_PORT) >var/urssaf.log 2>&1 & \
	urssaf=$$!; \
	URSSAF_URL=http://$(HOST):$(URSSAF_PORT) URSSAF_CLIENT_ID=demo URSSAF_CLIENT_SECRET=demo \
	$(BIN)/passage serve --host $(HOST) --port $(PORT) >var/demo.log 2>&1 & \
	server=$$!; \
	trap 'kill $$server $$urssaf 2>/dev/null; wait $$server $$urssaf 2>/dev/null' EXIT INT TERM; \
	$(BIN)/passage simulate --url http://$(HOST):$(PORT) --speed $(SPEED) --duration $(DURATION) \
		--wait 60 || { tail -n 5 var/demo.log; exit 1; }; \
	echo "The day is played; the server runs on (Ctrl-C to stop)."; wait $$server; }

test: install test-sqlite test-services

test-sqlite: install
	$(BIN)/python -m pytest -q

# Runs the suite again on PostgreSQL + Redis when they answer; with
# REQUIRE_SERVICES=1 (CI) an unreachable service is a failure, not a skip.
test-services: install
	@if $(BIN)/python -m tests.backends "$(TEST_POSTGRES_URL)" "$(TEST_REDIS_URL)"; then \
		echo "== PostgreSQL + Redis =="; \
		TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" TEST_BROADCAST_URL="$(TEST_REDIS_URL)" \
			$(BIN)/python -m pytest -q; \
	elif [ -n "$$REQUIRE_SERVICES" ]; then \
		echo "PostgreSQL or Redis unreachable and REQUIRE_SERVICES is set" >&2; exit 1; \
	else \
		echo "PostgreSQL or Redis unreachable: ran on SQLite + memory bus only"; \
	fi

# The date-sensitive tests (marker `clock`) at each instant, the whole process moved there
# (tests/clock.py), on SQLite, CLOCK_JOBS instants at a time: weekend, before midnight,
# New Year's Eve, New Year in Paris while UTC is still in the old year, both DST nights,
# 29 February (docs/testing.md).
CLOCK_INSTANTS ?= \
	2026-12-05T10:00:00+01:00 \
	2026-12-06T10:00:00+01:00 \
	2026-12-09T23:55:00+01:00 \
	2026-12-31T23:30:00+01:00 \
	2027-01-01T00:20:00+01:00 \
	2027-03-28T01:58:00+01:00 \
	2027-10-31T02:58:00+02:00 \
	2028-02-29T10:00:00+01:00
CLOCK_JOBS ?= 2
test-clock: install
	$(BIN)/python -m tests.clock_runs --jobs $(CLOCK_JOBS) $(CLOCK_INSTANTS)

# The dashboard's picture (docs/dashboard.png, shown by the README and docs/dashboard.md),
# taken by the browser test (tests write none of it).
screenshot: install
	PASSAGE_SCREENSHOT=$(CURDIR)/docs/dashboard.png $(BIN)/python -m pytest -q \
		tests/web/test_dashboard_browser.py -k requests_messages_and_ratings

# The long part of the attack-and-failure suite (docs/security.md), run before a release:
# one line per family with the cases tried and failed. The fast part runs in `make test`.
attack: install
	$(BIN)/python -m pytest -q -s tests/attack/long_run.py

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python -m schema.stability

schema: install
	$(BIN)/python -c 'from schema import schema; print(schema.as_str())' > schema.graphql

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
