#!/usr/bin/env bash
# Foundation benchmarks (issue: walking skeleton), each next to a reference measured in the same run:
#   (a) the libcurl client's requests/s against a local Hummingbird endpoint vs wrk on the same endpoint;
#   (b) the pool's point-select rate vs pgbench -S at the same client count.
# Usage: bench/foundation.sh   (env: DURATION=10 HTTP_CONCURRENCY=16 PG_CLIENTS=8)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DURATION=${DURATION:-10}
HTTP_CONCURRENCY=${HTTP_CONCURRENCY:-16}
PG_CLIENTS=${PG_CLIENTS:-8}

ensure_dependencies
ensure_wrk
log "building bench-tool (release)"
swift build -c release --product bench-tool >&2
TOOL=$(swift build -c release --show-bin-path)/bench-tool

bench_workspace

# (a) HTTP
HTTP_PORT=$(free_port)
"$TOOL" serve --port "$HTTP_PORT" &
SERVER_PID=$!
BENCH_PIDS+=("$SERVER_PID")
until curl -fs "http://127.0.0.1:$HTTP_PORT/ping" >/dev/null; do sleep 0.2; done
URL="http://127.0.0.1:$HTTP_PORT/ping"
log "wrk: $HTTP_CONCURRENCY connections, ${DURATION}s"
WRK_RATE=$(wrk -t2 -c"$HTTP_CONCURRENCY" -d"${DURATION}s" "$URL" | awk '/Requests\/sec/ {print $2}')
log "libcurl client: $HTTP_CONCURRENCY concurrent requests, ${DURATION}s"
CLIENT_LINE=$("$TOOL" http --url "$URL" --concurrency "$HTTP_CONCURRENCY" --duration "$DURATION")
CLIENT_RATE=$(sed -E 's/.*rate=([0-9.]+).*/\1/' <<<"$CLIENT_LINE")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

# (b) PostgreSQL
PG_PORT=$(start_scratch_server "$WORK")
BIN=$(pg_bindir)
"$BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -i -s 1 -q postgres >/dev/null 2>&1
log "pgbench -S: $PG_CLIENTS clients, ${DURATION}s"
PGBENCH_RATE=$("$BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -S -c "$PG_CLIENTS" -j 2 -T "$DURATION" postgres 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')
log "pool: $PG_CLIENTS clients, ${DURATION}s"
POOL_LINE=$("$TOOL" pg --url "postgres://postgres@127.0.0.1:$PG_PORT/postgres" --clients "$PG_CLIENTS" --duration "$DURATION" --rows 100000)
POOL_RATE=$(sed -E 's/.*rate=([0-9.]+).*/\1/' <<<"$POOL_LINE")

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo
echo "| measurement | reference | ours | ratio (ours/reference) |"
echo "|---|---|---|---|"
echo "| HTTP GET /ping, $HTTP_CONCURRENCY concurrent, ${DURATION}s | wrk: $WRK_RATE req/s | libcurl client: $CLIENT_RATE req/s ($CLIENT_LINE) | $(ratio "$CLIENT_RATE" "$WRK_RATE") |"
echo "| point select, $PG_CLIENTS clients, ${DURATION}s | pgbench -S: $PGBENCH_RATE tps | pool: $POOL_RATE q/s ($POOL_LINE) | $(ratio "$POOL_RATE" "$PGBENCH_RATE") |"
