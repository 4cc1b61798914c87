# The few commands people type. `make run` and `make test` are the README's promise.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test lint format migrations-check security services worker beat bench-nearby bench-dense bench-discovery bench-live bench-rollup bench-national bench-ingest bench-requests bench-reads bench-seed load clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

## Run the app on the embedded defaults (embedded PostgreSQL in .pgdata/, local files, in-process tasks, demo data),
## served over ASGI by uvicorn so the live streams hold no thread.
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) -m uvicorn foodtrucks.asgi:application --host 127.0.0.1 --port 8000 --reload

## Run the whole test suite on PostgreSQL, Redis, a local S3 endpoint and headless Chromium.
test: $(STAMP) services
	$(PY) -m pytest

services:
	bash scripts/ensure-services.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

worker: $(STAMP)
	$(VENV)/bin/celery -A foodtrucks worker --loglevel=info

beat: $(STAMP)
	$(VENV)/bin/celery -A foodtrucks beat --loglevel=info

## Static analysis (bandit) and known vulnerabilities in the pinned dependencies (pip-audit).
security: $(STAMP)
	bash scripts/security-checks.sh --allow-unaudited

## Benchmarks (PostgreSQL; each seeds its own database): figures in docs/performance-*.md.
bench-rollup: $(STAMP)
	flock /tmp/bench.lock $(PY) bench/rollup.py

## A national day (50 M events over 1 M places; EVENTS=5000000 on a shared machine). docs/scaling.md
EVENTS ?= 50000000
bench-national: $(STAMP)
	flock /tmp/bench.lock $(PY) bench/national_day.py --events-per-day $(EVENTS)

bench-ingest: $(STAMP)
	flock /tmp/bench.lock $(PY) bench/ingest.py

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/foodtrucks_bench
bench-seed: $(STAMP) services
	psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname = 'foodtrucks_bench'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres foodtrucks_bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) flock /tmp/bench.lock \
		$(PY) manage.py seed_demo --flush --places 1000000 --events 10000000 --no-rollup -v2

## A 60 s locust run against gunicorn on loopback (docs/performance-load.md).
load: $(STAMP)
	bash bench/load.sh

clean:
	rm -rf .pgdata media private-media staticfiles test-artifacts

## Benchmark of the nearby search on PostgreSQL (its own database; holds the bench lock). docs/performance-nearby.md
bench-nearby: $(STAMP)
	flock /tmp/bench.lock $(PY) bench/nearby.py --places 1000000

## Dense cities: 100 k, 1 M and 5 M places, the densest circle's p99 (aim < 20 ms) and the p50 growth (aim < 2x).
## SEED=1 seeds the sizes only (a busy machine is fine); then run it again to measure them when quiet.
DENSE_SIZES ?= 100000,1000000,5000000
bench-dense: $(STAMP)
	if [ -n "$(SEED)" ]; then $(PY) bench/nearby.py --sizes $(DENSE_SIZES) --seed-only; \
	else flock /tmp/bench.lock $(PY) bench/nearby.py --sizes $(DENSE_SIZES) --reuse --no-load; fi

## The nearby endpoint under gunicorn against its raw SQL at the same concurrency (aim >= 0.5). docs/performance-requests.md
bench-requests: $(STAMP) services
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/14} flock /tmp/bench.lock $(PY) bench/request_overhead.py

## The signed-in detail read, written in the read against buffered, in one run. docs/place-views.md
bench-reads: $(STAMP)
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/13} flock /tmp/bench.lock $(PY) bench/detail_read.py

## Benchmark of search ahead (open_at) beside the nearby search (its own database; bench lock). docs/search-ahead.md
bench-discovery: $(STAMP)
	flock /tmp/bench.lock $(PY) bench/discovery.py --places 1000000

## Benchmark of the live streams: concurrent streams, memory per stream, delivery latency (bench lock). docs/live.md
LIVE_ARGS ?= --via pushpin --streams 5000 --events 5 --interval 2
bench-live: $(STAMP) services
	flock /tmp/bench.lock $(PY) -u bench/live.py $(LIVE_ARGS)
