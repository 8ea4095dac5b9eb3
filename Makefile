# The two commands a newcomer needs: `make run` (the bot; a local sandbox without BOT_TOKEN) and
# `make test`. Each sets up what it needs on its first run: a virtual environment in .venv, the
# packages from pyproject.toml, and the compiled catalogues.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
FAKETIME_SHIFT ?= +365d

.PHONY: run test test-pg test-clock lint reset-sandbox setup clean

run: setup  ## run the bot: the sandbox chat without BOT_TOKEN, the real bot with it
	$(PY) -m bot

test: setup  ## the test suite on SQLite (on PostgreSQL instead when TEST_DATABASE_URL is set)
	$(PY) -m pytest

test-pg: setup  ## the test suite on PostgreSQL
	TEST_DATABASE_URL=$(TEST_PG_URL) $(PY) -m pytest

test-clock: setup  ## the time-sensitive tests again, with the system clock a year ahead
	faketime -f $(FAKETIME_SHIFT) $(PY) -m pytest -m clock

lint: setup  ## ruff, mypy and the catalogue check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy bot core domain handlers models notifications services ui
	$(PY) scripts/i18n.py check
	$(VENV)/bin/lint-imports

reset-sandbox: setup  ## a fresh sandbox database with the demo seeded again
	$(PY) -m bot reset-sandbox --yes

setup: $(INSTALLED) $(MO_FILES)

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

$(MO_FILES) &: $(PO_FILES) $(INSTALLED)
	$(PY) scripts/i18n.py compile

clean:  ## remove the virtual environment and the compiled catalogues
	rm -rf $(VENV) $(MO_FILES)
