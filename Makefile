# quizapp — the two commands a newcomer needs:
#   make demo   set up, migrate a SQLite database, load the demo, serve on http://127.0.0.1:5000
#   make test   shorthand for the README's test command: setup, ruff, pytest (TEST_DATABASE_URL for PostgreSQL)

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
# Keywords: pybabel's defaults (_, gettext, ngettext, N_, ...) plus Flask-Babel's lazy_gettext, imported as _l.
# The first step fails if a template would be skipped by the extractor (it skips unparsable ones silently);
# the last one lists the messages still to translate in the .po (then run this target again to compile them).
TRANSLATIONS := quizapp/translations
BABEL_CFG ?= babel.cfg
translations: setup
	$(BIN)/python $(TRANSLATIONS)/check_catalog.py --mapping $(BABEL_CFG)
	$(BIN)/pybabel extract -F $(BABEL_CFG) -k _l -k lazy_gettext -k N_ --no-location --project quizapp \
		-o $(TRANSLATIONS)/messages.pot .
	test -f $(TRANSLATIONS)/en/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l en
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics
	@$(BIN)/python $(TRANSLATIONS)/check_catalog.py || \
		echo "make translations: translate the messages above in $(TRANSLATIONS)/en/LC_MESSAGES/messages.po, then run it again"

clean:
	rm -rf $(VENV) instance .pytest_cache
