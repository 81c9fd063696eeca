# Entry points for people and CI alike: run | test | lint | migrate | bench | messages
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONPATH := $(CURDIR):$(CURDIR)/platform

.PHONY: run test lint migrate bench messages install install-dev clean-data

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: migrate, seed the demo, serve web + Celery worker + beat (PORT=8123 make run)
run: install
	$(PY) manage.py run_dev --port $(PORT)

## make test: the whole suite on real PostgreSQL (DATABASE_URL, else the embedded one)
test: install-dev
	THONGTHIN_TESTING=1 $(PY) -m pytest -n $${TEST_WORKERS:-2} -p no:cacheprovider $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .

## make migrate: the deploy command — public schema, then only the towns that are behind (in
## parallel), then the provisioning template (onboarding/fleet.py)
migrate: install
	$(PY) manage.py migrate_fleet --jobs $${MIGRATE_JOBS:-4}

messages: install
	cd $(CURDIR) && $(PY) manage.py makemessages -l en --ignore=.venv --ignore=.data
	$(PY) manage.py compilemessages --ignore=.venv

## make bench: every benchmark in bench/, each writing its section of docs/benchmarks.md
bench: install-dev
	$(PY) bench/tenant_routing.py
	$(PY) bench/saraban.py
	$(PY) bench/certificate_pdf.py
	$(PY) bench/billing.py
	$(PY) bench/oss.py
	$(PY) bench/provisioning.py
	$(PY) bench/fleet_migrate.py
	$(PY) bench/portal_weight.py
	$(PY) bench/make_run.py

clean-data:
	rm -rf .data
