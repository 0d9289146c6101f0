# ansinh — the commands a new person needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
# the slowest tests are listed after each run: CI stays under about 30 minutes
PYTEST_ARGS ?= --durations=15
# Every target here is development (demo, serve, tests, check, bench). A real installation
# leaves ANSINH_ENV unset: production, which needs ANSINH_SECRET_KEY.
export ANSINH_ENV ?= development

.PHONY: help install demo serve test test-sqlite test-postgres check bench messages clean browser pg fonts

help:
	@echo "make demo   – install, build the demo commune (SQLite) and serve http://$(HOST):$(PORT)"
	@echo "make test   – install dev tools and run the whole suite on SQLite and PostgreSQL"
	@echo "make check  – ruff, format, mypy, migrations, import contracts, translations"
	@echo "make bench  – benchmarks (bench/)"

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install fonts
	$(BIN)/ansinh migrate --noinput
	$(BIN)/ansinh demo --if-empty
	@echo ""
	@echo "ansinh: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "Đăng nhập / sign in: canbo, phochutich, truongap1, truongap2, kiemtra — mật khẩu: ansinh-demo"
	ANSINH_TASKS_BACKEND=django_tasks_db.DatabaseBackend $(BIN)/ansinh serve --worker --bind $(HOST):$(PORT)

# The development server (reloads on code changes; background tasks run inside the request);
# `make demo` serves with gunicorn and one task worker beside it (imports run in the background).
serve: install
	$(BIN)/ansinh runserver $(HOST):$(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by
# Playwright itself). Installed when missing and we are root; CI requires it.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "could not install chromium"; [ "$$CI" != "true" ] || exit 1; }; \
	  else echo "chromium missing: browser tests will be skipped (install Debian's chromium)"; fi; \
	fi

# Start the local PostgreSQL if it is down. With CI=true it must come up.
pg:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -n1) main start 2>/dev/null || true; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL is required in CI and is not running"; exit 1; fi; \
	  echo "WARNING: PostgreSQL is not running: the PostgreSQL half of the suite is SKIPPED"; \
	fi

# Debian's DejaVu fonts: every Vietnamese letter in the printable documents (PDF).
fonts:
	@if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ -z "$$ANSINH_PDF_FONT_DIR" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null) \
	      || { echo "could not install fonts-dejavu-core"; [ "$$CI" != "true" ] || exit 1; }; \
	  else echo "fonts-dejavu-core missing: PDF documents cannot be printed"; fi; \
	fi

test: install fonts browser pg
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

test-postgres: install
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "== test suite on PostgreSQL =="; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is required in CI"; exit 1; \
	else echo "SKIPPED: PostgreSQL not running"; fi

check: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	env -u DATABASE_URL ANSINH_SQLITE_PATH=:memory: $(BIN)/ansinh makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_i18n.py

messages: install
	cd src/ansinh && ../../$(BIN)/ansinh makemessages -l vi --no-obsolete --no-location --add-location=never 2>/dev/null || \
	  (cd src/ansinh && ../../$(BIN)/ansinh makemessages -l vi --no-obsolete --no-location)
	cd src/ansinh && ../../$(BIN)/ansinh compilemessages -l vi

bench: install pg
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
