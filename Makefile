# Two commands do all the set-up: `make run` and `make test`. Every step below is skipped when done.
SHELL := /bin/bash
UV := .tools/bin/uv
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export PICCOLO_CONF := piccolo_conf
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run run-prod test setup lint format messages migrate seed bench bench-http clean lock

run: setup
	$(PY) -m portal serve

# Production mode on this machine: PostgreSQL and Redis from the machine's packages, two app processes and a
# worker (scripts/run_prod.sh; README: "Deployment").
run-prod: setup
	scripts/run_prod.sh

# The tests run in one process per core (pytest-xdist), each test file whole in one of them: a file's tests share
# its live server and run in their order, and the files are handed out in their order (browser tests last).
# `make test TEST_WORKERS=0` runs them all in one process.
TEST_WORKERS ?= auto

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q -n $(TEST_WORKERS) --maxprocesses=4 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

setup: .venv/.synced .venv/.compiled static/vendor/htmx.min.js $(MO_FILES)
	@$(PY) -m compileall -q portal migrations tests scripts piccolo_conf.py || true

# Bytecode of the installed packages, written once per install (the portal's own files are compiled by `setup` on
# every run, which takes a fraction of a second when nothing changed). Python reads these files even where
# PYTHONDONTWRITEBYTECODE keeps it from writing them, so no process (a server start, a test's server) compiles
# ~1,400 modules from source again: about 6 s of each `portal serve` start on this 2-core machine. Only a speed-up:
# a file that does not compile is left to fail where it is imported, as before, and does not stop the set-up.
.venv/.compiled: .venv/.synced
	$(PY) -m compileall -q -j 0 .venv/lib >/dev/null || true
	touch $@

$(UV):
	python3 -m venv .tools && .tools/bin/pip install -q uv==0.13.9

.venv/.synced: requirements.lock | $(UV)
	$(UV) venv -q --allow-existing .venv
	$(UV) pip sync -q --python .venv --require-hashes requirements.lock
	touch $@

# Re-resolve the lock after changing pyproject.toml (never done implicitly: installs follow the committed lock).
lock: | $(UV)
	$(UV) pip compile -q pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

# Dev packages too (axe-core, for the browser tests; it stays in node_modules and is never served). The lock names
# packages by version and integrity only (.npmrc): a registry address written into it fails here.
node_modules/.package-lock.json: package.json package-lock.json
	@! grep -n '"resolved"' package-lock.json || { echo "package-lock.json names a registry: npm install with the project's .npmrc" >&2; exit 1; }
	npm ci --include=dev --no-audit --no-fund

static/vendor/htmx.min.js: node_modules/.package-lock.json scripts/vendor.mjs
	npm run -s vendor

locale/%.mo: locale/%.po | .venv/.synced
	.venv/bin/pybabel compile -i $< -o $@

# Extract the messages of each domain into its own catalog and update ru/en (then translate the new entries with
# scripts/po_fill.py): each catalog holds exactly the strings its domain's files ask for, and is rewritten only where
# that changes, so a second run leaves every file as it was (portal/core/catalogs.py). `make messages DOMAINS=meters`
# updates one domain (core and every domain with an AppConfig keep a catalog).
messages: .venv/.synced
	$(PY) -m portal.core.catalogs $(DOMAINS)

migrate: setup
	$(PY) -m portal migrate

seed: setup
	$(PY) -m portal seed-demo

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m pytest -q bench --benchmark-only

# The portal over HTTP, signed-in residents, SQLite and PostgreSQL (where TEST_POSTGRES_URL or BENCH_POSTGRES_URL
# is reachable) beside a bare Litestar + Jinja page; uses wrk (apt-get install wrk) when present. See bench/README.md.
bench-http: setup
	$(PY) bench/bench_http.py $(BENCH_ARGS)

clean:
	rm -rf .venv .tools node_modules static/vendor locale/*/LC_MESSAGES/*.mo
