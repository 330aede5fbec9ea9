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

.PHONY: install run demo test test-sqlite test-services check schema fmt clean

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

# The server (its log in var/demo.log) and `passage simulate` against it; Ctrl-C stops both.
SPEED ?= 1
DURATION ?= 3600
URSSAF_PORT ?= 8090
demo: install
	@mkdir -p var
	@# seed-demo also lays out today's visits when the demo was seeded on an earlier day.
	@$(BIN)/passage migrate >/dev/null && $(BIN)/passage seed-demo >/dev/null
	@# A local URSSAF stand-in, so the immediate advance can be played end to end.
	@$(BIN)/passage urssaf-sandbox --host $(HOST) --port $(URSSAF_PORT) >var/urssaf.log 2>&1 & \
	urssaf=$$!; \
	URSSAF_URL=http://$(HOST):$(URSSAF_PORT) URSSAF_CLIENT_ID=demo URSSAF_CLIENT_SECRET=demo \
	$(BIN)/passage serve --seed-demo --host $(HOST) --port $(PORT) >var/demo.log 2>&1 & \
	server=$$!; \
	trap 'kill $$server $$urssaf 2>/dev/null; wait $$server $$urssaf 2>/dev/null' EXIT INT TERM; \
	$(BIN)/passage simulate --url http://$(HOST):$(PORT) --speed $(SPEED) --duration $(DURATION) \
		--wait 60 || { tail -n 5 var/demo.log; exit 1; }; \
	echo "The day is played; the server runs on (Ctrl-C to stop)."; wait $$server

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

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

schema: install
	$(BIN)/python -c 'from schema import schema; print(schema.as_str())' > schema.graphql

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
