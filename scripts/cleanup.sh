#!/usr/bin/env bash
# make cleanup: deletes api_logs older than 30 days and analytics_events older than 90 days
# from the running stack's gateway database, in batches (the gateway also does this hourly).
# Env: GATEWAY_DB_PORT (5435).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PORT=${GATEWAY_DB_PORT:-5435}
pg_isready -q -h 127.0.0.1 -p "$PORT" || die "the gateway database is not running on port $PORT: run make up first"
total=0
while :; do
  deleted=$(PGPASSWORD=${GATEWAY_DB_PASSWORD:-gateway_pass} psql -X -tA -h 127.0.0.1 -p "$PORT" \
    -U "${GATEWAY_DB_USER:-gateway_user}" -d gateway_database -c "SELECT purge_expired_rows(10000)")
  total=$((total + deleted))
  [ "$deleted" -eq 0 ] && break
done
log "deleted $total expired rows"
