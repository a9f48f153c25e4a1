# renrakucho — `make run` serves the demo on http://127.0.0.1:8000/, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BIN := .venv/bin
# Rewritten whenever .venv is synced; uv.lock or pyproject.toml newer than it means "sync again".
SYNCED := .venv/.synced

.PHONY: help setup run test lint format bench messages translations

help:
	@echo "make run       set up, migrate, load demo data, serve http://127.0.0.1:8000/ + task consumer"
	@echo "make test      ruff, import-linter, makemigrations --check, pytest on SQLite and PostgreSQL"
	@echo "make lint      ruff check, ruff format --check, import-linter"
	@echo "make format    ruff format + ruff check --fix"
	@echo "make bench     response times and query counts at two data sizes (JSON lines)"
	@echo "make messages  extract translatable strings into renrakucho/locale (needs GNU gettext)"
	@echo "make setup     create/update .venv from uv.lock, compile translations"

setup: $(SYNCED) translations
	@mkdir -p var/static

$(SYNCED): uv.lock pyproject.toml
	@scripts/setup.sh
	@touch $@

translations: $(SYNCED)
	@scripts/compile_translations.sh

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/chat_fanout.py

# Developer-only: GNU gettext is not installed on every machine (the build compiles with Babel).
messages: setup
	@if command -v xgettext >/dev/null 2>&1; then \
		mkdir -p renrakucho/locale && \
		$(BIN)/python manage.py makemessages -l ja -l en --no-obsolete \
			--ignore='var/*' --ignore='bench/*' --ignore='scripts/*' --ignore='static/vendor/*' && \
		$(BIN)/python scripts/fill_ja_catalog.py && \
		echo "ja filled; now translate the new (empty or fuzzy) entries of renrakucho/locale/en"; \
	else \
		echo "make messages needs GNU gettext (apt-get install gettext)"; exit 1; \
	fi
