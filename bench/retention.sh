#!/usr/bin/env bash
# Retention at millions of rows. The gateway database (database/gateway-init.sql) holds
# API_LOGS api_logs rows written evenly over the last 40 days (a quarter older than the
# 30-day limit) and EVENTS analytics_events over 120 days (a quarter older than 90 days),
# in time order as the gateway writes them. The purge runs as the gateway's hourly job and
# `make cleanup` run it: purge_expired_rows(10000), one call per transaction, until a call
# deletes nothing. Meanwhile a writer keeps inserting api_logs batches of 100 rows, the way
# the gateway's log writer does.
# Reference in the same run: an identical copy of the database purged with one DELETE per
# table, the usual alternative, under the same writer.
# Figures: purge time and rows/s, the longest single transaction (how long locks and the
# snapshot are held), the writer's rate during each purge against its rate alone.
# Usage: bench/retention.sh   (env: API_LOGS=3000000 EVENTS=1000000 BATCH=10000 WRITER_CLIENTS=2;
#        INIT_SQL=database/gateway-init.sql, another schema to compare, e.g. an older purge function)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

API_LOGS=${API_LOGS:-3000000}
EVENTS=${EVENTS:-1000000}
BATCH=${BATCH:-10000}
WRITER_CLIENTS=${WRITER_CLIENTS:-2}
INIT_SQL=${INIT_SQL:-database/gateway-init.sql}

ensure_dependencies
bench_workspace

PG_PORT=$(start_scratch_server "$WORK")
psql_to() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$@"; }
psql_to postgres -c "CREATE DATABASE gateway"
psql_to gateway -f "$INIT_SQL" >/dev/null

log "loading $API_LOGS api_logs rows (40 days) and $EVENTS analytics_events (120 days)"
started=$SECONDS
psql_to gateway <<SQL
INSERT INTO api_logs (service_name, path, method, status_code, latency_ms, user_uid, ip_address,
                      user_agent, request_id, created_at)
SELECT (ARRAY['product-service', 'order-service', 'user-service'])[1 + i % 3],
       '/api/v1/products/' || (i % 100000), (ARRAY['GET', 'POST', 'PATCH'])[1 + i % 3],
       (ARRAY[200, 201, 404, 422, 500])[1 + i % 5], (i % 97) / 10.0,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'user-' || (i % 5000) END,
       ('10.' || (i % 250) || '.' || (i % 200) || '.' || (i % 199))::inet, 'wrk/4.2',
       md5(i::text), now() - interval '40 days' + (interval '40 days' * i / $API_LOGS)
FROM generate_series(1, $API_LOGS) AS i;
INSERT INTO analytics_events (event_name, user_uid, session_id, properties, ip_address, user_agent, created_at)
SELECT (ARRAY['page_view', 'add_to_cart', 'checkout'])[1 + i % 3], 'user-' || (i % 5000),
       'session-' || (i % 20000), jsonb_build_object('product_id', i % 100000, 'source', 'bench'),
       '10.0.0.1', 'browser', now() - interval '120 days' + (interval '120 days' * i / $EVENTS)
FROM generate_series(1, $EVENTS) AS i;
VACUUM ANALYZE;
SQL
log "loaded in $((SECONDS - started)) s; copying the database for the reference"
psql_to postgres -c "CREATE DATABASE reference TEMPLATE gateway"

cat >"$WORK/writer.sql" <<'SQL'
INSERT INTO api_logs (service_name, path, method, status_code, latency_ms, user_uid, ip_address, user_agent, request_id)
SELECT 'product-service', '/api/v1/products/1', 'GET', 200, 0.5, 'user-1', '127.0.0.1', 'wrk', md5(random()::text)
FROM generate_series(1, 100);
SQL
# writer DATABASE SECONDS: pgbench running the writer, progress every second on stderr.
# Run in the background it replaces its subshell, so $! is pgbench's own pid.
writer() {
  exec "$(pg_bindir)/pgbench" -n -h 127.0.0.1 -p "$PG_PORT" -U postgres -f "$WORK/writer.sql" \
    -c "$WRITER_CLIENTS" -j "$WRITER_CLIENTS" -T "$2" -P 1 "$1"
}
# mean_tps FILE [SKIP]: the mean of pgbench's per-second progress lines (after the first SKIP lines).
mean_tps() { awk -v skip="${2:-0}" 'NR > skip && /^progress:/ {sum += $4; n++} END {printf "%.0f", (n ? sum / n : 0)}' "$1"; }
expired() {
  psql_to "$1" -tA -c "SELECT (SELECT count(*) FROM api_logs WHERE created_at < now() - interval '30 days')
                            + (SELECT count(*) FROM analytics_events WHERE created_at < now() - interval '90 days')"
}

log "the writer alone, 10 s"
(writer gateway 10 >/dev/null 2>"$WORK/writer-alone.log")
ALONE=$(mean_tps "$WORK/writer-alone.log")

# purge DATABASE SCRIPT: runs the SQL script under the writer; prints "seconds longest_ms
# writer_rate"; fails if expired rows are left (a few may expire while it runs).
purge() {
  writer "$1" 3600 >/dev/null 2>"$WORK/writer-$1.log" &
  WRITER_PID=$!
  BENCH_PIDS+=("$WRITER_PID")
  sleep 2
  local skip started_ns
  skip=$(wc -l <"$WORK/writer-$1.log")  # count only the seconds under the purge
  started_ns=$(date +%s%N)
  psql_to "$1" -tA -f "$2" >"$WORK/purge-$1.out"
  local elapsed_ns=$(( $(date +%s%N) - started_ns ))
  kill "$WRITER_PID"; wait "$WRITER_PID" 2>/dev/null || true
  local left
  left=$(expired "$1")
  [ "$left" -le 10 ] || die "the purge of $1 left $left expired rows"
  awk -v ns="$elapsed_ns" '/^Time:/ {if ($2 > longest) longest = $2} END {printf "%.1f %.0f ", ns / 1e9, longest}' \
    "$WORK/purge-$1.out"
  mean_tps "$WORK/writer-$1.log" "$skip"
  echo
}

CALLS=$(( (API_LOGS / 4 + BATCH - 1) / BATCH + 2 ))
{ echo '\timing on'; for _ in $(seq "$CALLS"); do echo "SELECT purge_expired_rows($BATCH);"; done; } >"$WORK/batched.sql"
cat >"$WORK/single.sql" <<'SQL'
\timing on
BEGIN;
DELETE FROM api_logs WHERE created_at < now() - interval '30 days';
DELETE FROM analytics_events WHERE created_at < now() - interval '90 days';
COMMIT;
SQL
ROWS=$(expired gateway)
log "batched purge of $ROWS expired rows (purge_expired_rows($BATCH) x $CALLS) under the writer"
purge gateway "$WORK/batched.sql" >"$WORK/batched.result"
read -r BATCHED_S BATCHED_LONGEST BATCHED_TPS <"$WORK/batched.result"
log "reference: one DELETE per table in one transaction, under the writer"
purge reference "$WORK/single.sql" >"$WORK/single.result"
read -r SINGLE_S SINGLE_LONGEST SINGLE_TPS <"$WORK/single.result"
# The single transaction's length is the whole script's (its statements add up).
SINGLE_LONGEST=$(awk '/^Time:/ {sum += $2} END {printf "%.0f", sum}' "$WORK/purge-reference.out")

# ratio A B [PLACES]: A / B to PLACES decimals (2), or "n/a" when B is 0 (toy sizes finish in under 0.05 s).
ratio() { python3 -c "print(f'{$1 / $2:.${3:-2}f}' if $2 else 'n/a')"; }
echo
echo "| purge ($API_LOGS api_logs, $EVENTS analytics_events; writer: $WRITER_CLIENTS clients x 100-row inserts) | rows deleted | time | rows/s | longest transaction | writer batches/s (alone: $ALONE) |"
echo "|---|---|---|---|---|---|"
echo "| purge_expired_rows($BATCH), one call per transaction | $ROWS | ${BATCHED_S} s | $(ratio "$ROWS" "$BATCHED_S" 0) | ${BATCHED_LONGEST} ms | $BATCHED_TPS ($(ratio "$BATCHED_TPS" "$ALONE") of alone) |"
echo "| reference: one DELETE per table, one transaction | $ROWS | ${SINGLE_S} s | $(ratio "$ROWS" "$SINGLE_S" 0) | ${SINGLE_LONGEST} ms | $SINGLE_TPS ($(ratio "$SINGLE_TPS" "$ALONE") of alone) |"
echo
echo "batched / one statement, time: $(ratio "$BATCHED_S" "$SINGLE_S")"
