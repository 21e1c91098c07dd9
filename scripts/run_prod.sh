#!/usr/bin/env bash
# Production mode on one machine (`make run-prod`): PostgreSQL and Redis from the machine's packages
# (apt-get install postgresql redis-server), the database migrated (demo data on the first start), the sandbox
# gateway, two app processes (ports 8000 and 8002) and one `portal worker`. Put a load balancer in front of the
# two ports (README: "Deployment"). Ctrl-C stops what this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/portal}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export PAYMENT_GATEWAY_URL=${PAYMENT_GATEWAY_URL:-http://127.0.0.1:8001}
APP_PORTS=${APP_PORTS:-"8000 8002"}

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$version" ] || { echo "PostgreSQL is not installed: apt-get install postgresql"; exit 1; }
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || { echo "Redis is not installed: apt-get install redis-server"; exit 1; }
  # Persistent, as README's "Deployment" asks: a restart keeps everyone signed in and the queue's schedule.
  mkdir -p "${PORTAL_VAR_DIR:-var}/redis"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --dir "$(cd "${PORTAL_VAR_DIR:-var}/redis" && pwd)" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction
  for _ in $(seq 1 30); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
db=${DATABASE_URL##*/}
server=${DATABASE_URL%/*}/postgres
psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 || psql "$server" -c "CREATE DATABASE \"$db\""

$PY -m portal migrate
$PY -m portal seed-demo

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
gateway_port=${PAYMENT_GATEWAY_URL##*:}
SANDBOX_WEBHOOK_URL="http://127.0.0.1:${APP_PORTS%% *}/payments/webhook" $PY -m portal.sandbox_gateway & pids+=($!)
for port in $APP_PORTS; do
  $PY -m uvicorn portal.app:app --host 127.0.0.1 --port "$port" --no-access-log & pids+=($!)
done
$PY -m portal worker & pids+=($!)
echo "app processes on ports $APP_PORTS, worker and sandbox gateway (port $gateway_port) started; Ctrl-C stops them"
wait
