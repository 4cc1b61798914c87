#!/usr/bin/env bash
# PgBouncer (transaction mode) in front of PostgreSQL for the load test: seed a throwaway database,
# start pgbouncer on a spare port with a generated config, then for each web size (gunicorn workers x
# threads) drive wrk at the nearby search and the signed-in place detail, sampling SHOW POOLS and
# pg_stat_activity while it runs. Prints, per size: app connections to the pooler, server connections
# (max seen), requests/s, p50/p99 and errors; then the largest size once more without the pooler.
#
#   bench/load_pgbouncer.sh
#   SIZES="1x4 2x4 4x4 4x8" POOL_SIZE=6 SECONDS_EACH=10 bench/load_pgbouncer.sh
#   KEEP_DB=1 / SKIP_SEED=1 as in bench/load.sh
#
# Installs the Debian packages pgbouncer and wrk when missing. Heavy: holds /tmp/bench.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${BENCH_LOCKED:-}" ]]; then
  exec env BENCH_LOCKED=1 flock /tmp/bench.lock "$0" "$@"
fi

if ! command -v pgbouncer >/dev/null || ! command -v wrk >/dev/null; then
  echo "== installing pgbouncer and wrk (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer wrk >/dev/null
fi

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PG=${PG:-postgres://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-foodtrucks_load_pgbouncer}
export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/14}
PLACES=${PLACES:-3000}
SEED_USERS=${SEED_USERS:-300}
EVENTS=${EVENTS:-30000}
SIZES=${SIZES:-"1x4 2x4 3x8 4x8"}
POOL_SIZE=${POOL_SIZE:-6}
SECONDS_EACH=${SECONDS_EACH:-10}
PORT=${PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PGB_PORT=${PGB_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
OUT=$(mktemp -d /tmp/foodtrucks-pgbouncer.XXXXXX)
chmod 755 "$OUT"

export DJANGO_SETTINGS_MODULE=foodtrucks.settings.production
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-load-test-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')}
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false
export API_THROTTLE_ANON=1000000/min API_THROTTLE_USER=1000000/min
export CELERY_TASK_ALWAYS_EAGER=false
export GUNICORN_ACCESSLOG=/dev/null GUNICORN_LOGLEVEL=warning DJANGO_LOG_LEVEL=WARNING HOST=127.0.0.1 PORT

psql_admin() { psql "$PG/postgres" -v ON_ERROR_STOP=1 -qc "$1"; }
pgbouncer_pid="" gunicorn_pid="" sampler_pid=""
stop() { # stop one process we started, by its pid
  if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then kill "$1"; wait "$1" 2>/dev/null || true; fi
}
cleanup() {
  stop "$sampler_pid"; stop "$gunicorn_pid"; stop "$pgbouncer_pid"
  if [[ -z "${KEEP_DB:-}" ]]; then psql_admin "drop database if exists $BENCH_DB" || true; fi
  "$PY" -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()" || true
}
trap cleanup EXIT

export DATABASE_URL="$PG/$BENCH_DB"
if [[ -z "${SKIP_SEED:-}" ]]; then
  echo "== database $BENCH_DB: create, migrate, seed ($PLACES places, $SEED_USERS users, $EVENTS events)"
  psql_admin "drop database if exists $BENCH_DB"
  psql_admin "create database $BENCH_DB"
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py seed_demo --places "$PLACES" --users "$SEED_USERS" --events "$EVENTS" --no-progress >/dev/null
  psql "$DATABASE_URL" -qc "vacuum analyze"
fi
"$PY" bench/load/export_fixtures.py "$OUT/fixtures.json" --users 50 --places 2000 >/dev/null
"$PY" bench/load/make_paths.py "$OUT/fixtures.json" nearby "$OUT/nearby.txt"
"$PY" bench/load/make_paths.py "$OUT/fixtures.json" detail "$OUT/detail.txt"
TOKEN=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['tokens'][0])" "$OUT/fixtures.json")

# --- pgbouncer: transaction pooling, POOL_SIZE server connections at most for the database ----------
cat >"$OUT/pgbouncer.ini" <<INI
[databases]
$BENCH_DB = host=127.0.0.1 port=5432 dbname=$BENCH_DB user=postgres pool_size=$POOL_SIZE

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $OUT/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 2000
default_pool_size = $POOL_SIZE
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $OUT/pgbouncer.log
pidfile = $OUT/pgbouncer.pid
INI
echo '"postgres" ""' >"$OUT/userlist.txt"
chmod 644 "$OUT/pgbouncer.ini" "$OUT/userlist.txt"
chown postgres "$OUT" 2>/dev/null || true
# pgbouncer refuses to run as root.
runuser -u postgres -- pgbouncer "$OUT/pgbouncer.ini" >"$OUT/pgbouncer.out" 2>&1 &
pgbouncer_pid=$!
for _ in $(seq 1 50); do
  psql "postgres://postgres@127.0.0.1:$PGB_PORT/pgbouncer" -qAtc "show version" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== pgbouncer $(pgbouncer --version | head -1 | awk '{print $2}') on 127.0.0.1:$PGB_PORT, pool_mode transaction, pool_size $POOL_SIZE"

# Max, over the run, of: clients active+waiting at the pooler, its server connections, and the
# backends PostgreSQL itself counts for the database (the pooler's and any direct ones).
sample() {
  local out=$1 max_cl=0 max_sv=0 max_pg=0 pools pg cl sv
  while true; do
    pools=$(psql "postgres://postgres@127.0.0.1:$PGB_PORT/pgbouncer" -qAt -F ' ' -c "show pools" 2>/dev/null \
      | awk -v db="$BENCH_DB" '$1 == db {print $3 + $4, $7 + $10 + $11 + $12 + $13}' || true)
    pg=$(psql "$PG/postgres" -qAtc "select count(*) from pg_stat_activity where datname = '$BENCH_DB'" 2>/dev/null || echo 0)
    if [[ -n "$pools" ]]; then
      read -r cl sv <<<"$pools"
      if ((cl > max_cl)); then max_cl=$cl; fi
      if ((sv > max_sv)); then max_sv=$sv; fi
    fi
    if ((pg > max_pg)); then max_pg=$pg; fi
    echo "$max_cl $max_sv $max_pg" >"$out"
    sleep 0.5
  done
}

run_size() { # run_size WORKERSxTHREADS DATABASE_URL POOLER LABEL
  local size=$1 url=$2 pooler=$3 label=$4
  local workers=${size%x*} threads=${size#*x}
  DATABASE_URL=$url DATABASE_POOLER=$pooler WEB_CONCURRENCY=$workers GUNICORN_THREADS=$threads \
    "$VENV/bin/gunicorn" -c gunicorn.conf.py foodtrucks.wsgi >"$OUT/gunicorn-$label-$size.log" 2>&1 &
  gunicorn_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$OUT/gunicorn-$label-$size.log"; exit 1; }
    sleep 0.2
  done
  sample "$OUT/sample" &
  sampler_pid=$!
  # Two connections per web thread: the web side is saturated, requests queue at gunicorn.
  local connections=$((workers * threads * 2))
  local results=""
  for kind in nearby detail; do
    local line
    line=$(WRK_PATHS="$OUT/$kind.txt" WRK_TOKEN=$TOKEN wrk -t 2 -c "$connections" -d "${SECONDS_EACH}s" \
      -s bench/load/paths.lua "http://127.0.0.1:$PORT" | grep '^WRK')
    results+="$kind: ${line#WRK } | "
  done
  stop "$sampler_pid"; sampler_pid=""
  stop "$gunicorn_pid"; gunicorn_pid=""
  read -r max_cl max_sv max_pg <"$OUT/sample"
  printf '%-9s %-6s %5d wrk conns | pooler clients max %3s, server conns max %3s | PG backends max %3s\n    %s\n' \
    "$label" "$size" "$connections" "$max_cl" "$max_sv" "$max_pg" "$results"
}

echo "== load: wrk ${SECONDS_EACH}s per endpoint and size (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for size in $SIZES; do
  run_size "$size" "postgres://postgres@127.0.0.1:$PGB_PORT/$BENCH_DB" pgbouncer pgbouncer
done
largest=${SIZES##* }
run_size "$largest" "$PG/$BENCH_DB" "" direct
echo "(raw results: $OUT; load after: $(cut -d' ' -f1-3 /proc/loadavg))"
