# Houqin — the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo is tried without a phone: two-step sign-in off unless asked for (make demo DEMO_2FA_ROLES=principal,director)
DEMO_2FA_ROLES ?=


.PHONY: demo test test-fast bench setup dev-setup assets messages system-deps serve lint migrations-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(PY)
	$(PIP) install -q -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(PY)
	$(PIP) install -q -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

houqin/static/vendor/.copied: node_modules/.installed scripts/vendor-assets.sh
	bash scripts/vendor-assets.sh
	touch $@

assets: houqin/static/vendor/.copied

messages: $(VENV)/.base-installed
	$(PY) scripts/compile_messages.py

setup: $(VENV)/.base-installed assets messages

dev-setup: $(VENV)/.dev-installed assets messages

# Debian packages the tests need (postgresql, chromium, a CJK font, poppler, gettext, wrk); as root only.
system-deps:
	bash scripts/install-system-deps.sh

## make demo: set up, build the demo district in data/houqin.sqlite3 and serve it on http://127.0.0.1:8000
demo: setup
	HOUQIN_DEBUG=1 HOUQIN_HTTPS=0 $(PY) manage.py migrate_fresh -v0  # empty database: tables from the models; else migrate
	HOUQIN_DEBUG=1 HOUQIN_HTTPS=0 $(PY) manage.py seed_demo
	@# the worker (scheduled jobs, the outbox) in the background beside the server, stopped with it; e-mail to data/mail/
	HOUQIN_DEBUG=1 HOUQIN_HTTPS=0 HOUQIN_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend \
	  HOUQIN_WORKER_BACKUP=0 HOUQIN_WORKER_INTERVAL=30 $(PY) manage.py worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  HOUQIN_DEBUG=1 HOUQIN_HTTPS=0 HOUQIN_2FA_ROLES=$(DEMO_2FA_ROLES) $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install what the tests need, run the suite on SQLite, then on a throwaway PostgreSQL
test: system-deps dev-setup
	bash scripts/test.sh

## make test-fast: the edit-run loop: SQLite only, tables from the models, no browser tests, one
## worker per core (pytest-xdist; TEST_WORKERS=0 runs in one process). --dist loadfile is the
## suite's own scheduler (tests/scheduling.py): whole test files to a worker, longest first, the
## shared demo's readers one unit last on one worker; ARGS=--save-durations refreshes the times
## it orders by (tests/durations.json)
TEST_WORKERS ?= auto
test-fast: dev-setup
	$(PY) -m pytest --no-migrations -m "not e2e" -n $(TEST_WORKERS) --dist loadfile $(ARGS)

## make bench: serve the demo data with gunicorn (production settings) and load the main pages with wrk
bench: system-deps dev-setup
	bash scripts/bench.sh

migrations-check: $(VENV)/.base-installed
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules staticfiles houqin/static/vendor
