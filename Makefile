# StayOps: `make run` serves the app with demo data; `make test` runs everything CI checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test lint format pytest test-sqlite test-postgres browser worker benchmark clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: migrate, seed demo data on an empty database, start the worker and serve on http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime
	PORT=$(PORT) BIN=$(BIN) scripts/run.sh

## test: lint, then the whole suite on SQLite and on PostgreSQL, with browser tests in real Chromium
test: $(VENV)/.dev
	scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	BIN=$(BIN) scripts/test.sh

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

clean:
	rm -rf $(VENV) var test-artifacts
