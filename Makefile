# djust: the two commands are `make demo` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make
DEMO_PORT ?= 8000
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/djust

.PHONY: help demo test venv develop rust-checks ruff pytest-py client-tests services integration clean

help:
	@echo "make demo   build djust and serve the demo on http://127.0.0.1:$(DEMO_PORT) (SQLite)"
	@echo "make test   every check and test suite, against real PostgreSQL and Redis"

# The virtualenv with the pinned tools; rebuilt when requirements-dev.txt changes.
$(STAMP)/venv: requirements-dev.txt
	@mkdir -p $(STAMP)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

venv: $(STAMP)/venv

# Build the extension (release) and install djust into the venv, editable for its Python part.
develop: venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin develop --release --quiet -m py/Cargo.toml

demo: export DJANGO_SETTINGS_MODULE = demosite.settings
demo: develop
	cd integration/demo && ../../$(PY) manage.py migrate --noinput -v 0
	cd integration/demo && ../../$(PY) manage.py load_demo_data
	@echo "djust demo on http://127.0.0.1:$(DEMO_PORT)/  (Ctrl-C stops it)"
	cd integration/demo && ../../$(VENV)/bin/uvicorn demosite.asgi:application \
		--host 127.0.0.1 --port $(DEMO_PORT) --ws websockets-sansio --ws-per-message-deflate false

rust-checks:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo test --workspace --all-features

ruff: venv
	$(VENV)/bin/ruff check py integration
	$(VENV)/bin/ruff format --check py integration

pytest-py: develop
	$(VENV)/bin/pytest -q py/tests

# djust.js's pure parts (patch applier over the shared fixtures) under node's own test runner.
client-tests:
	node --test client/tests/

services:
	bash scripts/services.sh

integration: develop services
	bash scripts/chromium.sh
	cd integration && DATABASE_URL=$(DATABASE_URL_TEST) ../$(VENV)/bin/pytest -q
	@echo "ORM plan suite again on SQLite (same expected statement counts):"
	cd integration && env -u DATABASE_URL DJUST_ORM_SQLITE=1 ../$(VENV)/bin/pytest -q -p no:cacheprovider tests/test_orm_plans.py

# Fail fast, cheapest first: formatting and lints, Rust tests, the extension, Python, then real services.
test:
	$(MAKE) rust-checks
	$(MAKE) develop
	$(MAKE) ruff
	$(MAKE) pytest-py
	$(MAKE) client-tests
	$(MAKE) integration

clean:
	rm -rf $(STAMP) target integration/demo/db.sqlite3
