# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test worker lint format migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

## run: install, migrate, load demo data into an empty database, serve on 127.0.0.1:$(PORT)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: install the dev requirements and run the test suite (DATABASE_URL when set, else SQLite)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## worker: a Celery worker with beat, for the PostgreSQL + Redis setup
worker: $(VENV)/.installed
	$(BIN)/celery -A stockholmsjobb worker --beat --loglevel=INFO --schedule=var/celerybeat-schedule

## lint: ruff, and import-linter's contract that apps import only from the floors below them
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

clean:
	rm -rf $(VENV) var/db.sqlite3 var/static
