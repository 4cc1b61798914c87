#!/usr/bin/env bash
# Make sure what the test suite talks to is there: PostgreSQL, Redis, Chromium for the portal.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium (Debian packages chromium, chromium-driver)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ ! -x /usr/bin/pushpin ]; then
  echo "installing Pushpin (Debian package pushpin, with zurl) for the live stream tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq pushpin >/dev/null
fi

if ! command -v pgbouncer >/dev/null 2>&1; then
  echo "installing PgBouncer (Debian package pgbouncer) for the pooling test and the load test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq pgbouncer >/dev/null
fi
