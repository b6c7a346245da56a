#!/usr/bin/env bash
# Operations on the local stack's databases (the design document's "Running Initialization
# Scripts", "Backup and Restore", "Health Checks", record counts and slow-query logging).
# DB is one of user, product, order, gateway; without it, every database.
#
#   ops.sh health [DB]            pg_isready per database
#   ops.sh counts [DB]            rows per table
#   ops.sh init DB                run database/<db>-init.sql on an empty database
#   ops.sh reset DB               drop and recreate the schema, then run the init script
#   ops.sh backup [DB]            pg_dump to $BACKUP_DIR/backup_<db>_<YYYYmmdd-HHMMSS>.sql, and
#                                 a base backup of each make-up server (point-in-time recovery)
#   ops.sh restore DB FILE        reset DB, then load FILE
#   ops.sh restore-at DB TIME     point-in-time restore of DB to TIME (RFC 3339) into a fresh
#                                 data directory, from a base backup and the archived WAL
#   ops.sh backup-prune [DB]      keep the newest $BACKUP_KEEP (7) base backups and the WAL they need
#   ops.sh slow-log on [MS]       log statements slower than MS (default 200) ms
#   ops.sh slow-log off
#   ops.sh tables [DB]            the tables (psql's \dt)
#   ops.sh connections [DB]       connections per database, by state
#   ops.sh sizes [DB]             the database's size and its tables', largest first
#   ops.sh index-usage [DB]       scans and size per index, least used first
#   ops.sh explain DB SQL         EXPLAIN ANALYZE of SQL, in a transaction rolled back after
#   ops.sh clear-test-data DB     empty every table but the migration record and the audit
#                                 trail, sequences restarted; only with CONFIRM=yes
#   ops.sh vacuum [DB]            VACUUM ANALYZE (FULL=1: VACUUM FULL, which locks each table)
#   ops.sh recent DB              the newest rows: orders (order), api_logs (gateway),
#                                 products (product), users (user)
#   ops.sh disk                   disk used by the stack's data, archive, backups and logs
# Ports and STACK_DIR as for make up; BACKUP_DIR defaults to $STACK_DIR/backups. A reset or
# restore of a running stack's database stops that database's service first and starts it
# again afterwards: nothing reads a half-restored database, no cache outlives the old data,
# and the service's start-up gives its runtime role its rights on the new tables.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
source "$ROOT/scripts/stack-config.sh"
BACKUP_DIR=${BACKUP_DIR:-$STACK_DIR/backups}
source "$ROOT/scripts/pitr.sh"

# Sets PORT DATABASE DB_USER DB_PASSWORD INIT_SCRIPT PART SERVICE for a short name.
select_db() {
  stack_entry "$1" && [ "$S_NAME" = "$1" ] || die "unknown database '$1' (user, product, order or gateway)"
  PART=$S_DB_PART PORT=$S_DB_PORT DATABASE=$S_DATABASE DB_USER=$S_OWNER DB_PASSWORD=$S_OWNER_PASSWORD
  INIT_SCRIPT=$ROOT/database/$S_INIT_SCRIPT SERVICE=$S_SERVICE
}

names() { if [ $# -gt 0 ] && [ -n "$1" ]; then echo "$1"; else echo user product order gateway; fi; }
as_owner() { PGPASSWORD=$DB_PASSWORD "$@" -h 127.0.0.1 -p "$PORT" -U "$DB_USER"; }
owner_psql() { as_owner psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE" "$@"; }
superuser_psql() { psql -X -q -v ON_ERROR_STOP=1 -h /tmp -p "$PORT" -U postgres -d postgres "$@"; }

# with_service_stopped COMMAND...: runs COMMAND with the selected database's service stopped,
# when the stack runs it, and starts the service again afterwards, even if COMMAND failed.
with_service_stopped() {
  local running=0 status=0
  if pid_alive "$RUN_DIR/$SERVICE.pid"; then
    running=1
    bash "$ROOT/scripts/stack.sh" stop "$SERVICE"
  fi
  # In a subshell, so a `die` inside still gets the service started again (and not in an
  # `||` list, where bash would ignore set -e inside).
  set +e
  (set -e; "$@")
  status=$?
  set -e
  if [ $running = 1 ]; then
    bash "$ROOT/scripts/stack.sh" start "$SERVICE" || status=1
  fi
  return $status
}

# operate ACTION DETAIL COMMAND...: a reset or restore of the selected database. The audit
# trail is kept whole across it: its rows are copied out first and put back afterwards (a
# restore to an earlier instant must not erase the record of what happened since, nor a
# reset the record of everything), then the operation itself is added to it, as
# operator:<user>. COMMAND runs with the service stopped (with_service_stopped).
operate() {
  local action=$1 detail=$2 saved kept
  shift 2
  saved=$(mktemp "${TMPDIR:-/tmp}/audit-$PART.XXXXXX")
  AUDIT_SAVED=$saved
  trap 'rm -f "$AUDIT_SAVED"' EXIT
  if [ "$(owner_psql -tAc "SELECT to_regclass('public.audit_log') IS NOT NULL")" = t ]; then
    owner_psql -c "\\copy audit_log TO '$saved' WITH (FORMAT csv)"
  fi
  with_service_stopped "$@"
  if ! owner_psql -v action="$action" -v detail="$detail" -v actor="operator:${SUDO_USER:-${USER:-$(id -un)}}" >/dev/null <<SQL
BEGIN;
CREATE TEMPORARY TABLE saved_audit (LIKE audit_log) ON COMMIT DROP;
\\copy saved_audit FROM '$saved' WITH (FORMAT csv)
INSERT INTO audit_log SELECT * FROM saved_audit ON CONFLICT (id) DO NOTHING;
SELECT setval(pg_get_serial_sequence('audit_log', 'id'), greatest((SELECT max(id) FROM audit_log), 1));
INSERT INTO audit_log (actor, actor_role, action, resource, after)
VALUES (:'actor', 'operator', :'action', 'database', jsonb_build_object('database', current_database(), 'from', :'detail'));
COMMIT;
SQL
  then
    mkdir -p "$BACKUP_DIR"
    kept=$BACKUP_DIR/audit_${PART%-db}_$(date +%Y%m%d-%H%M%S).csv
    cp "$saved" "$kept"
    die "$PART: the audit trail could not be brought back nor the $action recorded in it; its rows are in $kept"
  fi
}

drop_schema() {
  owner_psql -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO \"$DB_USER\";" 2>/dev/null
}

health() {
  local name status=0
  for name in $(names "${1:-}"); do
    select_db "$name"
    if as_owner pg_isready -d "$DATABASE" >/dev/null 2>&1; then
      echo "$name: accepting connections (port $PORT, $DATABASE)"
    else
      echo "$name: NOT ready (port $PORT, $DATABASE)"
      status=1
    fi
  done
  return $status
}

counts() {
  local name table
  for name in $(names "${1:-}"); do
    select_db "$name"
    echo "$name ($DATABASE):"
    for table in $(owner_psql -tAc "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"); do
      printf '  %-28s %s\n' "$table" "$(owner_psql -tAc "SELECT count(*) FROM \"$table\"")"
    done
  done
}

init() {
  select_db "$1"
  owner_psql -f "$INIT_SCRIPT" >/dev/null
  log "$1: ran $(basename "$INIT_SCRIPT")"
}

reset() {
  select_db "$1"
  operate reset "$(basename "$INIT_SCRIPT")" reset_now "$1"
}
reset_now() {
  drop_schema
  log "$1: schema dropped and recreated"
  init "$1"
}

backup() {
  local name file
  mkdir -p "$BACKUP_DIR"
  for name in $(names "${1:-}"); do
    select_db "$name"
    file=$BACKUP_DIR/backup_${name}_$(date +%Y%m%d-%H%M%S).sql
    as_owner pg_dump --no-owner --no-privileges -d "$DATABASE" >"$file"
    echo "$file"
    base_backup
  done
}

restore() {
  [ $# -eq 2 ] || die "usage: ops.sh restore DB FILE"
  [ -s "$2" ] || die "no backup at $2"
  select_db "$1"
  operate restore "$2" restore_now "$1" "$2"
}
restore_now() {
  drop_schema
  owner_psql -f "$2" >/dev/null
  log "$1: restored from $2"
}

slow_log() {
  local setting name
  case ${1:-} in
    on) setting=${2:-200} ;;
    off) setting=-1 ;;
    *) die "usage: ops.sh slow-log on [MS] | off" ;;
  esac
  for name in $(names "${3:-}"); do
    select_db "$name"
    superuser_psql -c "ALTER SYSTEM SET log_min_duration_statement = $((setting))" -c "SELECT pg_reload_conf()" >/dev/null
    echo "$name: log_min_duration_statement = $(superuser_psql -tAc "SHOW log_min_duration_statement")"
  done
}

tables() { local name; for name in $(names "${1:-}"); do select_db "$name"; echo "$name:"; owner_psql -c '\dt'; done; }

connections() {
  local name
  for name in $(names "${1:-}"); do
    select_db "$name"
    echo "$name ($DATABASE):"
    superuser_psql -c "SELECT coalesce(state, 'background') AS state, usename AS role, count(*) AS connections
      FROM pg_stat_activity WHERE datname = '$DATABASE' GROUP BY 1, 2 ORDER BY 3 DESC"
  done
}

sizes() {
  local name
  for name in $(names "${1:-}"); do
    select_db "$name"
    echo "$name: $(owner_psql -tAc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    owner_psql -c "SELECT relname AS table, pg_size_pretty(pg_total_relation_size(relid)) AS total,
      pg_size_pretty(pg_relation_size(relid)) AS data, n_live_tup AS rows
      FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC"
  done
}

index_usage() {
  local name
  for name in $(names "${1:-}"); do
    select_db "$name"
    echo "$name:"
    owner_psql -c "SELECT relname AS table, indexrelname AS index, idx_scan AS scans,
      pg_size_pretty(pg_relation_size(indexrelid)) AS size
      FROM pg_stat_user_indexes ORDER BY idx_scan, pg_relation_size(indexrelid) DESC"
  done
}

explain() {
  [ $# -eq 2 ] || die "usage: ops.sh explain DB 'SELECT …'"
  select_db "$1"
  # ANALYZE runs the statement: rolled back, so an UPDATE shows its plan and changes nothing.
  owner_psql -v ON_ERROR_STOP=1 <<SQL
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) $2;
ROLLBACK;
SQL
}

clear_test_data() {
  [ $# -eq 1 ] || die "usage: CONFIRM=yes ops.sh clear-test-data DB"
  select_db "$1"
  [ "${CONFIRM:-}" = yes ] || die "this deletes every row of $DATABASE but its migration record and audit trail; run again with CONFIRM=yes"
  local tables
  tables=$(owner_psql -tAc "SELECT string_agg(format('%I', tablename), ', ') FROM pg_tables
    WHERE schemaname = 'public' AND tablename NOT IN ('schema_migrations', 'audit_log')")
  [ -n "$tables" ] || { log "$1: no tables to clear"; return; }
  owner_psql -c "TRUNCATE $tables RESTART IDENTITY CASCADE"
  log "$1: cleared $tables (sequences restarted)"
}

vacuum() {
  local name full=""
  [ "${FULL:-0}" = 1 ] && full="FULL, "
  for name in $(names "${1:-}"); do
    select_db "$name"
    owner_psql -c "VACUUM (${full}ANALYZE)" 2>&1 | grep -v 'skipping' >&2 || true
    log "$name: VACUUM (${full}ANALYZE) done"
  done
}

recent() {
  [ $# -eq 1 ] || die "usage: ops.sh recent DB"
  select_db "$1"
  case $1 in
    order) owner_psql -c "SELECT id, user_uid, status, payment_status, total_amount, created_at FROM orders ORDER BY created_at DESC, id DESC LIMIT 10" ;;
    gateway) owner_psql -c "SELECT created_at, service_name, method, path, status_code, latency_ms, request_id FROM api_logs ORDER BY created_at DESC LIMIT 10" ;;
    product) owner_psql -c "SELECT id, name, price, stock, status, updated_at FROM products ORDER BY updated_at DESC, id DESC LIMIT 10" ;;
    user) owner_psql -c "SELECT id AS uid, data->>'email' AS email, data->>'status' AS status, update_time FROM documents
            WHERE collection = 'users' ORDER BY update_time DESC LIMIT 10" ;;
  esac
}

disk() {
  local part dir
  for part in user-db product-db order-db gateway-db; do
    dir=$(data_dir "$part")
    [ -d "$dir" ] && printf '%-28s %s\n' "$part data" "$(du -sh "$dir" 2>/dev/null | cut -f1)"
    dir=$(pitr_dir "$part")
    [ -d "$dir" ] && printf '%-28s %s\n' "$part archive and base backups" "$(du -sh "$dir" 2>/dev/null | cut -f1)"
  done
  for dir in "$BACKUP_DIR" "$LOG_DIR"; do
    [ -d "$dir" ] && printf '%-28s %s\n' "$(basename "$dir")" "$(du -sh "$dir" 2>/dev/null | cut -f1)"
  done
  df -h "$STACK_DIR" | tail -n 1 | awk '{ printf "%-28s %s of %s used (%s)\n", "filesystem", $3, $2, $5 }'
}

# status: one screen, a line per part: pid, port, health, and for a database its size and connections.
status() {
  local entry part port database pid health size connections service
  printf '%-17s %-8s %-6s %-8s %-8s %s\n' part pid port health size connections
  for part in "${DB_PARTS[@]}"; do
    stack_entry "$part"
    port=$S_DB_PORT database=$S_DATABASE
    pid=$(pid_alive "$RUN_DIR/$part.pid" && cat "$RUN_DIR/$part.pid" || echo -)
    if psql -X -h /tmp -p "$port" -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
      health=ok
      size=$(psql -X -h /tmp -p "$port" -U postgres -d postgres -tAc "SELECT pg_size_pretty(pg_database_size('$database'))" | tr -d ' ')
      connections=$(psql -X -h /tmp -p "$port" -U postgres -d postgres -tAc \
        "SELECT count(*) || ' of ' || current_setting('max_connections') FROM pg_stat_activity WHERE datname = '$database'")
    else
      health=down size=- connections=-
    fi
    printf '%-17s %-8s %-6s %-8s %-8s %s\n' "$part" "$pid" "$port" "$health" "$size" "$connections"
  done
  pid=$(pid_alive "$RUN_DIR/rate-limit-store.pid" && cat "$RUN_DIR/rate-limit-store.pid" || echo -)
  health=$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && echo ok || echo down)
  printf '%-17s %-8s %-6s %-8s\n' rate-limit-store "$pid" "$REDIS_PORT" "$health"
  for service in "${SERVICES[@]}"; do
    pid=$(pid_alive "$RUN_DIR/$service.pid" && cat "$RUN_DIR/$service.pid" || echo -)
    port=$(service_port "$service")
    health=$(curl -fsS -o /dev/null -m 3 "http://127.0.0.1:$port/health/ready" 2>/dev/null && echo ok || echo down)
    printf '%-17s %-8s %-6s %-8s\n' "$service" "$pid" "$port" "$health"
  done
  if [ -f "$RUN_DIR/prometheus.pid" ]; then
    pid=$(pid_alive "$RUN_DIR/prometheus.pid" && cat "$RUN_DIR/prometheus.pid" || echo -)
    health=$(curl -fsS -o /dev/null -m 3 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 2>/dev/null && echo ok || echo down)
    printf '%-17s %-8s %-6s %-8s\n' prometheus "$pid" "$PROMETHEUS_PORT" "$health"
  fi
}

command=${1:-}
shift || true
case $command in
  health) health "$@" ;;
  counts) counts "$@" ;;
  init) [ $# -eq 1 ] || die "usage: ops.sh init DB"; init "$1" ;;
  reset) [ $# -eq 1 ] || die "usage: ops.sh reset DB"; reset "$1" ;;
  backup) backup "$@" ;;
  restore) restore "$@" ;;
  restore-at) [ $# -eq 2 ] || die "usage: ops.sh restore-at DB TIME"; select_db "$1"; operate restore "point in time $2" restore_at "$2" ;;
  backup-prune) for name in $(names "${1:-}"); do select_db "$name"; prune_base_backups; done ;;
  slow-log) slow_log "$@" ;;
  tables) tables "$@" ;;
  connections) connections "$@" ;;
  sizes) sizes "$@" ;;
  index-usage) index_usage "$@" ;;
  explain) explain "$@" ;;
  clear-test-data) clear_test_data "$@" ;;
  vacuum) vacuum "$@" ;;
  recent) recent "$@" ;;
  disk) disk ;;
  status) status ;;
  *) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
