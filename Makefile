# Buyers Network — the two set-up commands of the README, plus helpers.
# `make run`: fresh machine → virtualenv, install, migrate, demo network, serve on http://$(HOST):$(PORT)
# `make test`: fresh machine → virtualenv with test extras, browser, ruff, the whole test suite

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
RUN_ENV = DEBUG=$${DEBUG:-1}

.PHONY: run test lint bench bench-full messages clean

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

test: $(VENV)/.installed-test
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-browser.sh || echo "(no Chromium: browser journeys will be skipped)"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed-test
	$(PY) -m bench --quick

bench-full: $(VENV)/.installed-test
	$(PY) -m bench --full

messages: $(VENV)/.installed
	cd network && ../$(PY) ../manage.py makemessages -l fi -l sv --ignore "*.venv*"
	$(PY) manage.py compilemessages --ignore ".venv"

clean:
	rm -rf var bench-results
