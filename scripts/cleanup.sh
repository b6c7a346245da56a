#!/usr/bin/env bash
# make cleanup: deletes api_logs older than 30 days and analytics_events older than 90 days
# from the running stack's gateway database, in batches (the gateway also does this hourly),
# as its owner role (ports and roles: stack-config.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
source "$ROOT/scripts/stack-config.sh"
stack_entry gateway
pg_isready -q -h 127.0.0.1 -p "$S_DB_PORT" || die "the gateway database is not running on port $S_DB_PORT: run make up first"
total=0
while :; do
  deleted=$(PGPASSWORD=$S_OWNER_PASSWORD psql -X -tA -h 127.0.0.1 -p "$S_DB_PORT" -U "$S_OWNER" -d "$S_DATABASE" \
    -c "SELECT purge_expired_rows(10000)")
  total=$((total + deleted))
  [ "$deleted" -eq 0 ] && break
done
log "deleted $total expired rows"
