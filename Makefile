# The README's two commands: `make run` and `make test`. Both bootstrap .venv on first use.

VENV := .venv
PYTHON := $(VENV)/bin/python
# The stamp's name carries a hash of both requirements files, so editing a pin reinstalls
# and an unchanged checkout (whatever its file times) does not.
REQS_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQS_HASH)

PYTEST_ARGS ?=

# `make run` and `make serve` listen on $(HOST):$(PORT): PORT=8001 make run.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint fmt venv bench bench-quick

venv: $(STAMP)

$(STAMP):
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Local use: DEBUG on (runserver refuses it beyond loopback), the demo fleet, embedded SQLite.
run: $(STAMP)
	DJANGO_DEBUG=1 $(PYTHON) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PYTHON) manage.py seed_demo
	DJANGO_DEBUG=1 $(PYTHON) manage.py runserver $(HOST):$(PORT)

# For a team (README, "Run it for a team"): DEBUG off, gunicorn serving WhiteNoise's compressed
# static files; WEB_CONCURRENCY workers. Needs DJANGO_SECRET_KEY; usually DATABASE_URL.
serve: $(STAMP)
	DJANGO_DEBUG=0 $(PYTHON) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PYTHON) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 BIND=$${BIND:-$(HOST):$(PORT)} exec $(VENV)/bin/gunicorn -c portplanner/gunicorn.conf.py

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PYTHON) manage.py check
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory bench-quick > /dev/null

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks print figures and ratios from one run; BENCH_ARGS=--strict makes a missed target fail.
bench: $(STAMP)
	$(PYTHON) bench/engine.py $(BENCH_ARGS)
	$(PYTHON) bench/web.py $(BENCH_ARGS)
	$(PYTHON) bench/exchange.py $(BENCH_ARGS)
	$(PYTHON) bench/fleet.py $(BENCH_ARGS)
	$(PYTHON) bench/load.py $(BENCH_ARGS)
	$(PYTHON) bench/review.py $(BENCH_ARGS)
	$(PYTHON) bench/browser.py $(BENCH_ARGS)

# Each benchmark once with small fleets and few samples, about 25 s in all: make test runs this
# (tables hidden, errors shown) so that the benchmarks cannot rot. It checks they run, not the
# figures, which mean nothing here; --profile runs the profiling code too.
bench-quick: $(STAMP)
	$(PYTHON) bench/engine.py --quick --profile
	$(PYTHON) bench/web.py --quick --profile
	$(PYTHON) bench/exchange.py --quick
	$(PYTHON) bench/fleet.py --quick
	$(PYTHON) bench/load.py --quick
	$(PYTHON) bench/review.py --quick
	$(PYTHON) bench/browser.py --quick
