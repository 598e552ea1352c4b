# ZI Tracker — `make run` serves the demo, `make test` runs every check. Both set up what is
# missing first (.venv/, Python packages, Debian packages for the tests), so a fresh machine
# needs nothing else.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app tracker
export PORT ?= 5000
# What certificates print and encode in their QR code unless the administrator sets another
# address in the app (Pengaturan sistem): this server, on the port it serves on.
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install translations system-test-deps lint security migrations-check \
        pytest-sqlite pytest-postgres pytest-both bench clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo seed
	scripts/serve.sh

test: install translations system-test-deps lint security migrations-check pytest-both
	@echo "make test: every check passed"

install: $(STAMP)

# Reinstall only when the locked dependencies or the project metadata change.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

translations: install
	@$(BIN)/python scripts/i18n.py compile

# Debian packages the tests drive for real: Chromium (browser tests), redis-server (job queue),
# nginx (the production shape in front of gunicorn: tests/security/test_slow_clients.py), and
# openssl (the production shape's TLS certificate: deploy/production_shape.py,
# tests/production/test_production_shape.py, run once, in the SQLite run).
SYSTEM_TEST_PACKAGES := chromium redis-server nginx openssl
system-test-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null || missing="$$missing nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Style (ruff), the architecture's import contracts (import-linter: see [tool.importlinter] in
# pyproject.toml) and types (mypy: strict on the pure modules, see [tool.mypy]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# bandit (no HIGH findings) and pip-audit on requirements.lock (reports when it cannot audit).
security: install
	$(BIN)/python scripts/security_checks.py

migrations-check: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	DATABASE_URL=sqlite:///$$tmp/check.sqlite3 $(BIN)/alembic upgrade heads && \
	DATABASE_URL=sqlite:///$$tmp/check.sqlite3 $(BIN)/alembic check

pytest-sqlite: install
	@echo "== pytest on SQLite =="
	$(BIN)/python -m pytest -q -p no:cacheprovider

pytest-postgres: install
	@echo "== pytest on a throwaway PostgreSQL =="
	scripts/with-postgres.sh $(BIN)/python -m pytest -q -p no:cacheprovider

# Both databases at once (about the time of the slower one on 2 cores); `make test` uses this.
pytest-both: install
	scripts/test-both.sh

# `make bench` runs every benchmark; `make bench QUICK=1 BENCH="pages"` fewer repetitions, some.
bench: install translations
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(BENCH)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
