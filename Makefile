# Inventory Hub — the commands a newcomer needs (see README.md).
SHELL := /bin/bash
UV := $(shell ./scripts/ensure-uv.sh)
PY := .venv/bin/python
# The targets here are development tools: they run with the development signing key and placeholders
# admitted (README "Configuration"). A real deployment leaves HUB_ENV unset (production).
export HUB_ENV ?= development

.PHONY: install dev test lint fmt up down migrate infra clean bench console contract

install:  ## install every package of the workspace (pinned by uv.lock)
	$(UV) sync --locked

infra:  ## start this machine's PostgreSQL and RabbitMQ if they are down
	./scripts/ensure-infra.sh

migrate: install infra  ## create the database if missing and apply every service's migrations
	$(PY) -m hub_shared.devtools prepare

console:  ## build the web console into console/dist when its sources changed (needs Node.js 20+)
	./scripts/build-console.sh

dev: migrate console  ## run the whole system locally (honcho + Procfile), console at http://localhost:5400/
	$(UV) run honcho start -f Procfile

test: install infra  ## every test, against real PostgreSQL and RabbitMQ
	$(UV) run pytest

bench: install infra  ## benchmarks (collectors, assessment, variance); results appended to bench/RESULTS.md
	@for script in bench/*_bench.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: install  ## ruff + mypy + import contracts (.importlinter)
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy libs/shared/src services/*/src tools/vendor-sim/src
	$(UV) run lint-imports --no-logo

contract: install infra  ## schemathesis over the whole published API, unbounded; figures appended to bench/RESULTS.md
	HUB_CONTRACT_FULL=1 $(UV) run pytest services/gateway/tests/test_contract.py -q

fmt: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

up:  ## the whole system in containers
	docker compose up -d --build

down:
	docker compose down

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache

.PHONY: console-api
console-api: install  ## regenerate console/openapi.json and the console's typed client (src/api/schema.d.ts)
	$(PY) -m gateway openapi --out console/openapi.json
	cd console && npm ci --no-audit --no-fund && npm run gen:api
