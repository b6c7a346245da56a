#!/usr/bin/env bash
# Product service benchmarks with 100,000 products loaded, straight to the service (no gateway):
#   GET /api/v1/products/{id} (random ids) next to pgbench -S at the same client count,
#   and a filtered, sorted listing. Target: by-id rate at least 0.4 of pgbench's.
# The load comes from wrk (C, like pgbench), so the figures are the service's, not the client's.
# Usage: bench/products.sh   (env: DURATION=10 CLIENTS=8 PRODUCTS=100000; PROFILE=1 to record the service
#        with perf during the by-id run and print where its time goes)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-8}
PRODUCTS=${PRODUCTS:-100000}

ensure_dependencies
log "building (release)"
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } || die "install wrk"
swift build -c release --product product-service >&2
swift build -c release --product bench-tool >&2
BIN=$(swift build -c release --show-bin-path)

bench_workspace

PG_PORT=$(start_scratch_server "$WORK")
DB_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
PORT=$(free_port)
PORT=$PORT DATABASE_URL=$DB_URL DB_MAX_CONNECTIONS=$CLIENTS MIGRATIONS_DIR="$ROOT/database/migrations/product" LOG_LEVEL=warning \
  "$BIN/product-service" >"$WORK/product-service.log" 2>&1 &
SERVICE_PID=$!
BENCH_PIDS+=("$SERVICE_PID")
URL=http://127.0.0.1:$PORT
until curl -fs "$URL/health/ready" >/dev/null; do sleep 0.2; done

log "loading $PRODUCTS products"
psql -X -q -v ON_ERROR_STOP=1 -v count="$PRODUCTS" -v draft_every=0 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -f database/seed/catalog.sql
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "VACUUM ANALYZE"
CATEGORY=$(psql -X -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "SELECT min(id) FROM categories WHERE parent_id IS NOT NULL")
LISTING="$URL/api/v1/products?category_id=$CATEGORY&min_price=50&sort=-price&limit=20"
cat >"$WORK/by-id.lua" <<LUA
request = function() return wrk.format("GET", "/api/v1/products/" .. math.random(1, $PRODUCTS)) end
LUA

"$(pg_bindir)/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -i -s 1 -q postgres >/dev/null 2>&1
log "pgbench -S: $CLIENTS clients, ${DURATION}s"
PGBENCH_RATE=$("$(pg_bindir)/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -S -c "$CLIENTS" -j 2 -T "$DURATION" postgres 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')
log "GET /api/v1/products/{id}: $CLIENTS clients, ${DURATION}s"
[ -n "${PROFILE:-}" ] && profile_start "$SERVICE_PID" "$WORK/perf.data" "$DURATION"
BEFORE=$(cpu_ticks "$SERVICE_PID")
THREADS_BEFORE=$(thread_ticks "$SERVICE_PID")
BY_ID=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$WORK/by-id.lua" "$URL")
BY_ID_CPU=$(cpu_per_request "$BEFORE" "$(cpu_ticks "$SERVICE_PID")" "$BY_ID")
BY_ID_THREADS=$(thread_cpu_per_request "$THREADS_BEFORE" "$(thread_ticks "$SERVICE_PID")" "$BY_ID")
[ -n "${PROFILE:-}" ] && profile_report "$WORK/perf.data"
# The ceiling for any Hummingbird route on this machine in this run: an empty GET /ping.
PING_PORT=$(free_port)
"$BIN/bench-tool" serve --port "$PING_PORT" >/dev/null 2>&1 &
PING_PID=$!
BENCH_PIDS+=("$PING_PID")
until curl -fs "http://127.0.0.1:$PING_PORT/ping" >/dev/null; do sleep 0.2; done
log "GET /ping (empty Hummingbird route): $CLIENTS clients, ${DURATION}s"
BEFORE=$(cpu_ticks "$PING_PID")
PING=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency "http://127.0.0.1:$PING_PORT/ping")
PING_CPU=$(cpu_per_request "$BEFORE" "$(cpu_ticks "$PING_PID")" "$PING")
kill "$PING_PID"; wait "$PING_PID" 2>/dev/null || true
log "listing $LISTING: $CLIENTS clients, ${DURATION}s"
LIST=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency "$LISTING")
for output in "$BY_ID" "$LIST"; do
  ! grep -q "Non-2xx" <<<"$output" || die "non-2xx answers during the run: $output"
done

rate() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p99() { awk '$1 == "99%" {print $2}' <<<"$1"; }
echo
echo "| measurement ($PRODUCTS products, $CLIENTS clients, ${DURATION}s) | reference | ours | ratio |"
echo "|---|---|---|---|"
echo "| GET /api/v1/products/{id} | pgbench -S: $PGBENCH_RATE tps | $(rate "$BY_ID") req/s, p99 $(p99 "$BY_ID") | $(python3 -c "print(f'{$(rate "$BY_ID")/$PGBENCH_RATE:.2f}')") |"
echo "| GET $LISTING | — | $(rate "$LIST") req/s, p99 $(p99 "$LIST") | — |"
echo "| GET /ping, an empty Hummingbird route (the ceiling) | pgbench -S: $PGBENCH_RATE tps | $(rate "$PING") req/s, p99 $(p99 "$PING") | $(python3 -c "print(f'{$(rate "$PING")/$PGBENCH_RATE:.2f}')") |"
echo
echo "CPU per request (user + system): product-service $BY_ID_CPU µs on GET /api/v1/products/{id} ($BY_ID_THREADS);" \
  "bench-tool $PING_CPU µs on GET /ping"
