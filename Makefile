PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# `make run PORT=8000` serves elsewhere.
PORT ?= 5000
# Node tools of the tests: the feed parsers and axe-core (npm).
PARTYTIME := tests/partytime

.PHONY: run serve test lint demo clean screenshots

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-serve: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[serve]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $@

$(PARTYTIME)/node_modules/.installed: $(PARTYTIME)/package.json $(PARTYTIME)/package-lock.json
	npm ci --prefix $(PARTYTIME) --no-audit --no-fund
	touch $@

run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) hub demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# As in production: gunicorn with gunicorn.conf.py, after the migrations. The
# configuration comes from PODCAST_HUB_* variables (README, "Running in production").
serve: $(VENV)/.installed-serve
	$(FLASK) db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# Every test that uses a database runs twice: on SQLite and on PostgreSQL (a
# cluster the tests start, or PODCAST_HUB_TEST_DATABASE_URL). Only one of them:
# `make test PYTEST_ARGS=--database=sqlite`.
test: $(VENV)/.installed-test $(PARTYTIME)/node_modules/.installed
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# The README's screenshots of the demo show, in Debian's Chromium.
screenshots: $(VENV)/.installed-test
	$(BIN)/python -m tests.screenshots

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache $(PARTYTIME)/node_modules
