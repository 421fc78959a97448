# quizapp — the two commands a newcomer needs:
#   make demo   set up, migrate a SQLite database, load the demo, serve on http://127.0.0.1:5000
#   make test   set up and run the whole test suite (SQLite; TEST_DATABASE_URL=postgresql://... for PostgreSQL)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: setup demo run test lint translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/quizapp db upgrade
	$(BIN)/quizapp demo
	$(BIN)/quizapp run --host $(HOST) --port $(PORT) --no-reload --with-threads

run: setup
	$(BIN)/quizapp run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/ruff check quizapp tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check quizapp tests bench

# Re-extract messages and update/compile the English catalog (Vietnamese is the source language).
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o quizapp/translations/messages.pot .
	$(BIN)/pybabel update -i quizapp/translations/messages.pot -d quizapp/translations -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d quizapp/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
