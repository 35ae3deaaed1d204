# The two commands of the README are `make demo` and `make test`; the rest are their steps.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=1 DJANGO_REQUIRE_2FA=0

.PHONY: demo test install lock assets migrate check lint messages clean bench load faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Development and tests get both locks: production's pins plus the test and dev tools (same pins, no conflict).
$(VENV)/.installed: requirements/production.txt requirements/dev.txt requirements-nodeps.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/production.txt -r requirements/dev.txt
	# Test data only (real EDF/EMG recordings); its own pins have no Python 3.11 wheels.
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.lock
	touch $@

# Re-lock after changing a dependency in pyproject.toml: pip-compile keeps every existing pin that still fits,
# so only what the change needs moves; `make lock UPGRADE=1` moves every pin to the newest allowed release.
# production.txt holds [project] dependencies only (what the image installs); dev.txt adds the test and dev
# extras and is constrained to production's pins, so installing both never changes a production version.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras --no-allow-unsafe \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.installed
	$(LOCK) --output-file=requirements/production.txt pyproject.toml
	$(LOCK) --extra=test --extra=dev --constraint=requirements/production.txt --output-file=requirements/dev.txt pyproject.toml

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json

assets: node_modules/.package-lock.json

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

## Run the product: SQLite, tasks in-process, the LBPB demo study and one user per role.
demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the whole test suite on both cores (SQLite unless DATABASE_URL is set; Redis worker test when CELERY_BROKER_URL is set).
test: install
	$(DEV_ENV) DATABASE_CONN_MAX_AGE=0 $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## Every benchmark on one generated study (PostgreSQL from DATABASE_URL, N=10000), one table; README "Performance".
BENCH_PARTICIPANTS ?= 10000
bench: install
	$(BIN)/python -m benchmarks --participants $(BENCH_PARTICIPANTS) $(BENCH_ARGS)

## Lint, format, import contracts, types, migrations in step with models, and the deployment check under
## production-like settings. .pre-commit-config.yaml runs the same commands.
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/mypy
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY="ci-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" DJANGO_ALLOWED_HOSTS=edc.example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# The project catalogue (locale/) covers lbpb, core, accounts and templates/; each domain app keeps its own.
APPS_WITH_LOCALE := studies participants instruments imaging audit randomisation queries monitoring safety reports workflows exports api
I18N_ENV := $(DEV_ENV) DJANGO_SETTINGS_MODULE=lbpb.settings PYTHONPATH=$(CURDIR)
messages: install
	$(I18N_ENV) $(BIN)/django-admin makemessages -l zh_Hans -e html,txt,py,svg --ignore=.venv --ignore=node_modules --ignore=tests \
		--ignore=staticfiles --ignore=benchmarks $(foreach app,$(APPS_WITH_LOCALE),--ignore=$(app))
	# Django is set up from the project root, then makemessages runs inside the app: started inside it, the app's
	# folder lands on sys.path (Celery's Django fixup adds the working directory), so its api.py would shadow the api app.
	for app in $(APPS_WITH_LOCALE); do $(I18N_ENV) $(BIN)/python -P -c "import os, django; django.setup(); \
		os.chdir('$$app'); from django.core.management import call_command; \
		call_command('makemessages', locale=['zh_Hans'], extensions=['html', 'txt', 'py', 'svg'], verbosity=0)"; done
	$(I18N_ENV) $(BIN)/django-admin compilemessages --ignore=.venv --ignore=node_modules

## Load test and fault tests (docs/operations.md): each starts its own PostgreSQL, Redis, gunicorn and Celery worker
## on free loopback ports in a temporary folder (needs PostgreSQL 15's server binaries and redis-server; run as root
## or as a user that may run initdb). LOAD_ARGS / FAULT_ARGS pass options, e.g. LOAD_ARGS="--users 20 --duration 60".
load: install
	$(BIN)/python -m loadtest --participants 1000 --users 50 --duration 120 $(LOAD_ARGS)

faults: install
	$(BIN)/python -m loadtest.faults all $(FAULT_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
