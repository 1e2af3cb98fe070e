# StayOps: `make run` serves the app with demo data; `make test` runs everything CI checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run dev test lint typecheck format pytest test-sqlite test-postgres browser worker benchmark load-test load-pages clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: serve like production (gunicorn, DEBUG off) on http://127.0.0.1:$(PORT), with demo data and a worker
run: $(VENV)/.runtime
	PORT=$(PORT) BIN=$(BIN) scripts/run.sh

## dev: the auto-reloading development server with DEBUG on, demo data and a worker
dev: $(VENV)/.runtime
	PORT=$(PORT) BIN=$(BIN) scripts/dev.sh

## test: lint, then the whole suite on SQLite and on PostgreSQL, with browser tests in real Chromium
test: $(VENV)/.dev
	scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy
	BIN=$(BIN) scripts/test.sh

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy

## typecheck: mypy with django-stubs over core, the services and the query modules (pyproject.toml [tool.mypy])
# The settings need DEBUG or a SECRET_KEY when the plugin imports them; DEBUG=true is enough to read types.
typecheck: $(VENV)/.dev
	DEBUG=true $(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## pytest ARGS="tests/test_health.py -x": run part of the suite on SQLite
pytest: $(VENV)/.dev
	$(BIN)/python -m pytest $(ARGS)

worker: $(VENV)/.runtime
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py db_worker

benchmark: $(VENV)/.dev
	BIN=$(BIN) scripts/benchmark.sh

## load-test ARGS="--users 12": nginx, two app servers, two workers, PostgreSQL, Redis and S3 on 127.0.0.1 under
## locust, with an app server stopped, a worker killed mid-import and PostgreSQL restarted (about 5 minutes)
load-test: $(VENV)/.dev
	BIN=$(BIN) scripts/load-test.sh $(ARGS)

## load-pages ARGS="--users 20 --seconds 30": /bookings/, /board/, /gantt/ and /my/ at 60,000 tasks under N clients
## each, gunicorn on PostgreSQL (benchmarks/load_pages.py; fails when p95 > 4 × p50 or on any error)
load-pages: $(VENV)/.dev
	$(BIN)/python benchmarks/load_pages.py $(ARGS)

clean:
	rm -rf $(VENV) var test-artifacts
