# Connect: `make run` starts everything locally, `make test` runs the whole test suite.
# Both create the virtualenv in .venv on first use and install from the lock files in
# requirements/ (every package pinned with its hashes); `make lock` rewrites them.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
SIMULATOR_PORT ?= 8765
WORKER_CONCURRENCY ?= 2
# Two test processes on two cores; `make test PYTEST_ARGS=` runs in one process.
PYTEST_ARGS ?= -n 2

BIN := $(VENV)/bin
# Files a local run writes in the data folder (database, broker, cache, media) are owner-only.
MANAGE := umask 077 && $(BIN)/python manage.py
DATA_DIR := $(or $(CONNECT_DATA_DIR),.local)

.DEFAULT_GOAL := help
.PHONY: help run test lint format install install-dev lock migrate admin clean bench bench-quick

help:
	@echo "make run      start Connect on http://$(HOST):$(PORT)/ with its worker, beat and the Hiboutik simulator"
	@echo "make test     run the whole test suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL say so)"
	@echo "make bench    every benchmark at full size; prints the tables, rewrites docs/benchmarks.md"
	@echo "make bench-quick  the same at reduced sizes, under five minutes"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make admin    set a new password for the admin user and print it once"
	@echo "make lock     rewrite requirements/*.txt from pyproject.toml (LOCK_ARGS=--upgrade to upgrade all)"
	@echo "make clean    remove the virtualenv and caches (keeps the data in $(DATA_DIR)/)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Connect needs Python 3.11 or newer: '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." \
		     "Run e.g. make run PYTHON=python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Packages come from the lock files only, each checked against its hashes; Connect itself is
# then installed in place without its dependencies. The stamps remember what was installed: a
# newer lock file or pyproject.toml reinstalls. A pyproject.toml whose requirements changed
# since the lock was made stops here with what to run.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
$(VENV)/.installed: pyproject.toml requirements/runtime.txt | $(BIN)/python
	@echo "Installing Connect into $(VENV) from requirements/runtime.txt ..."
	@$(BIN)/python scripts/lock.py --check
	$(PIP_INSTALL) --require-hashes --no-deps -r requirements/runtime.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	@echo "Installing Connect and its development tools into $(VENV) from requirements/dev.txt ..."
	@$(BIN)/python scripts/lock.py --check
	$(PIP_INSTALL) --require-hashes --no-deps -r requirements/dev.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	@touch $@ $(VENV)/.installed

# Quick and deterministic: versions already locked stay unless pyproject.toml or LOCK_ARGS
# (e.g. --upgrade, --upgrade-package django) ask otherwise. Run it after changing dependencies
# or after a rebase that brought pyproject.toml changes, and commit requirements/.
lock: | $(BIN)/python
	$(BIN)/python scripts/lock.py $(LOCK_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: $(VENV)/.installed
	$(MANAGE) migrate --noinput

# A new password for `admin`, printed once (only its hash is kept).
admin: $(VENV)/.installed
	@$(MANAGE) ensure_admin --reset-password

# The local run is a development server: DEBUG on (no HTTPS redirect), whatever .env says.
run: export DEBUG := 1
# Every process's log time in the zone Django logs in (settings.TIME_ZONE), the prefixes too.
run: export TZ := Europe/Paris
run: export WEB_ADDRESS := $(HOST):$(PORT)
run: export SIMULATOR_PORT := $(SIMULATOR_PORT)
run: export SIMULATOR_STATE := $(DATA_DIR)/hiboutik-simulator.json
run: export HIBOUTIK_SIMULATOR_URL := http://127.0.0.1:$(SIMULATOR_PORT)/api
run: export WORKER_CONCURRENCY := $(WORKER_CONCURRENCY)
run: export PATH := $(CURDIR)/$(BIN):$(PATH)
run: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) demo --simulator-url http://127.0.0.1:$(SIMULATOR_PORT)/api --base-url http://$(HOST):$(PORT)
	@echo
	@echo "  Connect:            http://$(HOST):$(PORT)/"
	@$(MANAGE) ensure_admin
	@echo "  Hiboutik simulator: http://127.0.0.1:$(SIMULATOR_PORT)/api (demo@connect.test / DEMOKEY)"
	@echo "  Data kept in $(DATA_DIR)/. Ctrl-C stops everything."
	@echo
	umask 077 && exec $(BIN)/python scripts/run_procfile.py Procfile

test: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks on the database DATABASE_URL names the server of (PostgreSQL is where the numbers
# matter; SQLite when unset); the scenarios that run Connect as deployed (gunicorn, a Celery
# worker, the simulated month) also need CELERY_BROKER_URL=redis://… naming a Redis database
# of their own, and are reported as not run without it. Both print the tables and record the run in docs/benchmarks.md and
# docs/benchmarks.json; they exit non-zero when an invariant breaks.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks --write

bench-quick: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks --quick --write

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
