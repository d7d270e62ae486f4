# Buyers Network — the two set-up commands of the README, plus helpers.
# `make run`: fresh machine → virtualenv, install, migrate, demo network, serve on http://$(HOST):$(PORT)
# `make test`: fresh machine → virtualenv with test extras, browser, ruff, the whole test suite

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
RUN_ENV = DEBUG=$${DEBUG:-1}

.PHONY: run test lint bench bench-full messages clean services services-down

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py loaddemo --if-empty
	@echo "Buyers Network on http://$(HOST):$(PORT)/  (demo log-ins: see README)"
	$(RUN_ENV) $(VENV)/bin/daphne -b $(HOST) -p $(PORT) network.asgi:application

# axe-core (accessibility checks injected into pages by the browser tests) comes from npm.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# PostgreSQL, Redis and the OpenSearch node, installed and started by the project (scripts/services.sh).
services:
	bash scripts/services.sh up

services-down:
	bash scripts/services.sh down

test: $(VENV)/.installed-test node_modules/.installed
	@bash scripts/install-system-packages.sh || echo "(could not install Chromium/gettext: browser and translation-extraction checks need them)"
	bash scripts/services.sh up
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed-test
	$(PY) -m bench --quick

bench-full: $(VENV)/.installed-test
	$(PY) -m bench --full

# Finnish and Swedish catalogues in locale/: extract every marked string of the project (not the
# virtualenv, node_modules, benchmarks or tests), then compile. tests/quality/test_translations.py
# fails when a catalogue is stale or has an untranslated entry.
MESSAGES_IGNORE = --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --ignore=var
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages -l fi -l sv --no-location $(MESSAGES_IGNORE)
	DEBUG=1 $(PY) manage.py compilemessages -l fi -l sv $(MESSAGES_IGNORE)

clean:
	rm -rf var bench-results
