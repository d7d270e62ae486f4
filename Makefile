# Buyers Network — the two set-up commands of the README, plus helpers.
# `make run`: fresh machine → virtualenv, install, migrate, demo network, serve on http://$(HOST):$(PORT)
# `make test`: fresh machine → virtualenv with test extras, browser, services, ruff, the whole suite twice

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Links in e-mails, iCal feeds and OCDS releases point at the address `make run` serves (SITE_URL
# defaults to it; a wildcard bind address links to this machine's name), and Django accepts that host.
SITE_HOST = $(if $(filter 0.0.0.0 :: [::],$(HOST)),$(shell hostname -f 2>/dev/null || hostname),$(HOST))
RUN_ENV = DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://$(SITE_HOST):$(PORT)} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost,[::1],$(SITE_HOST)}

.PHONY: run run-env test test-deps test-embedded test-services test-embedded-run test-services-run lint bench bench-full messages clean services services-down

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The environment `make run` serves with (SITE_URL, ALLOWED_HOSTS), e.g. `make run-env HOST=… PORT=…`.
run-env:
	@$(RUN_ENV) env | grep -E '^(DEBUG|SITE_URL|ALLOWED_HOSTS)=' | sort

run: $(VENV)/.installed
	@bash scripts/install-system-packages.sh search || echo "(could not install the search analysers: as root run 'apt-get install libvoikko1 voikko-fi hunspell-sv hunspell-de-de hunspell-nl'; search falls back to Snowball meanwhile, see /readyz)"
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

# Two passes, as CI runs them: the embedded defaults (SQLite, in-memory channel layer, database
# search), then PostgreSQL + Redis + the OpenSearch node with the browser journeys left out (they ran
# in the first pass). Both passes always run; the target fails if either failed.
# PYTEST_ARGS goes to both, e.g. `make test PYTEST_ARGS="tests/statements -x"`; `make test-embedded`
# or `make test-services` runs one pass.
PG_TEST_URL    ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0

test: test-deps
	@status=0; \
	$(MAKE) --no-print-directory test-embedded-run || status=1; \
	$(MAKE) --no-print-directory test-services-run || status=1; \
	exit $$status

test-embedded: test-deps
	@$(MAKE) --no-print-directory test-embedded-run

test-services: test-deps
	@$(MAKE) --no-print-directory test-services-run

test-deps: $(VENV)/.installed-test node_modules/.installed
	@bash scripts/install-system-packages.sh || echo "(could not install Chromium/gettext/search analysers: browser, translation-extraction and analyser checks need them)"
	bash scripts/services.sh up
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=1 $(PY) scripts/check_tenant_queries.py

# The first pass is the embedded defaults alone: no service, engine tests (`-m engine`) left out.
# The second pass runs everything but the browser journeys on PostgreSQL + Redis, and the engine
# tests (backend contract, isolation property, alias swap, node outage) against the OpenSearch node
# services.sh started (SEARCH_TEST_URL); SEARCH_TEST_REQUIRED=1 makes them fail, never skip, when
# no engine answers. The rest of the suite searches the database.
SEARCH_TEST_URL ?= http://127.0.0.1:9200

test-embedded-run:
	@echo "== tests on the embedded defaults (SQLite, in-memory channel layer, database search)"
	env -u DATABASE_URL -u REDIS_URL -u ELASTICSEARCH_URL -u OPENSEARCH_URL -u SEARCH_URL $(VENV)/bin/pytest -m "not engine" $(PYTEST_ARGS)

test-services-run:
	@echo "== tests on PostgreSQL + Redis + the OpenSearch node"
	env -u ELASTICSEARCH_URL -u OPENSEARCH_URL -u SEARCH_URL DATABASE_URL="$(PG_TEST_URL)" REDIS_URL="$(REDIS_TEST_URL)" SEARCH_TEST_URL="$(SEARCH_TEST_URL)" SEARCH_TEST_REQUIRED=1 $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

bench: $(VENV)/.installed-bench
	$(PY) -m bench --quick

bench-full: $(VENV)/.installed-bench
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
