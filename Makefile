# The two commands of the README: `make run` (the product on this machine) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test setup lint check-schema worker beat

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

run: setup
	@bash config/run-local.sh

lint: setup
	ruff check .
	ruff format --check .
	lint-imports

check-schema: setup
	DJANGO_SETTINGS_MODULE=config.settings.test python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test python manage.py spectacular --validate --fail-on-warn --file /dev/null

test: setup
	.ci/ensure-services
	$(MAKE) --no-print-directory lint check-schema
	pytest
