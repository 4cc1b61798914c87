#!/usr/bin/env bash
# Load test: seed a throwaway database, serve it with gunicorn (the production config), run locust
# headless for 60 s with the consumer mix in bench/load/locustfile.py, print rps, p50/p95/p99 and errors.
#
#   bench/load.sh                       # defaults below
#   USERS=100 DURATION=120s PLACES=20000 bench/load.sh
#   LOAD_WAIT=0,0 USERS=30 bench/load.sh    # no think time: the saturation throughput
#   KEEP_DB=1 bench/load.sh             # keep the seeded database for another run (SKIP_SEED=1 reuses it)
#
# Heavy: it takes the machine's bench lock (flock /tmp/bench.lock) so only one benchmark runs at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${BENCH_LOCKED:-}" ]]; then
  exec env BENCH_LOCKED=1 flock /tmp/bench.lock "$0" "$@"
fi

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PG=${PG:-postgres://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-foodtrucks_load}
export DATABASE_URL="$PG/$BENCH_DB"
export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/14}
PLACES=${PLACES:-3000}
SEED_USERS=${SEED_USERS:-300}
EVENTS=${EVENTS:-30000}
SEED=${SEED:-42}
USERS=${USERS:-50}          # concurrent simulated consumers
SPAWN_RATE=${SPAWN_RATE:-10}
DURATION=${DURATION:-60s}
PORT=${PORT:-8765}
OUT=${OUT:-$(mktemp -d /tmp/foodtrucks-load.XXXXXX)}

# The production settings, on loopback: no HTTPS redirect, throttles out of the way (one client IP).
export DJANGO_SETTINGS_MODULE=foodtrucks.settings.production
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-load-test-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false
export API_THROTTLE_ANON=1000000/min API_THROTTLE_USER=1000000/min API_THROTTLE_LOGIN=1000000/min
# Tasks are queued to Redis as in production (workers are not part of this measurement).
export CELERY_TASK_ALWAYS_EAGER=${CELERY_TASK_ALWAYS_EAGER:-false}
export HOST=127.0.0.1 PORT
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-3}
export GUNICORN_THREADS=${GUNICORN_THREADS:-2}
export GUNICORN_ACCESSLOG="$OUT/access.log"

psql_admin() { psql "$PG/postgres" -v ON_ERROR_STOP=1 -qc "$1"; }
gunicorn_pid=""
cleanup() {
  if [[ -n "$gunicorn_pid" ]] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true
  fi
  if [[ -z "${KEEP_DB:-}" ]]; then psql_admin "drop database if exists $BENCH_DB" || true; fi
  # The queued tasks and cached pages of this run.
  "$PY" -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()" || true
}
trap cleanup EXIT

if [[ -z "${SKIP_SEED:-}" ]]; then
  echo "== database $BENCH_DB: create, migrate, seed ($PLACES places, $SEED_USERS users, $EVENTS events)"
  psql_admin "drop database if exists $BENCH_DB"
  psql_admin "create database $BENCH_DB"
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo --places "$PLACES" --users "$SEED_USERS" --events "$EVENTS" --seed "$SEED"
  # Fresh statistics for the planner, as production would have.
  psql "$DATABASE_URL" -qc "vacuum analyze"
fi
"$PY" bench/load/export_fixtures.py "$OUT/fixtures.json" --users 200 --places 2000

echo "== gunicorn: $WEB_CONCURRENCY workers x $GUNICORN_THREADS threads on 127.0.0.1:$PORT"
"$VENV/bin/gunicorn" -c gunicorn.conf.py foodtrucks.wsgi >"$OUT/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$OUT/gunicorn.log"; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null

echo "== locust: $USERS users (spawn $SPAWN_RATE/s) for $DURATION"
LOAD_FIXTURES="$OUT/fixtures.json" "$VENV/bin/locust" -f bench/load/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" \
  --csv "$OUT/locust" --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || true

"$PY" - "$OUT/locust_stats.csv" "$OUT/locust_failures.csv" <<'PY'
import csv
import sys

with open(sys.argv[1]) as handle:
    rows = list(csv.DictReader(handle))
print(f"{'endpoint':44} {'reqs':>7} {'fails':>6} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
for row in rows:
    name = "ALL" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
    print(
        f"{name[:44]:44} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
        f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
    )
total = next(row for row in rows if row["Name"] == "Aggregated")
requests, failures = int(total["Request Count"]), int(total["Failure Count"])
print(
    f"\nRESULT rps={float(total['Requests/s']):.1f} p50={total['50%']}ms p95={total['95%']}ms "
    f"p99={total['99%']}ms requests={requests} errors={failures} ({100 * failures / max(requests, 1):.2f}%)"
)
with open(sys.argv[2]) as handle:
    failures_by_kind = list(csv.DictReader(handle))
for row in sorted(failures_by_kind, key=lambda r: -int(r["Occurrences"]))[:10]:
    print(f"  error x{row['Occurrences']}: {row['Method']} {row['Name']}: {row['Error'][:120]}")
PY
echo "(raw results: $OUT)"
