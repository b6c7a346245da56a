#!/usr/bin/env bash
# Product service benchmarks with 100,000 products loaded, straight to the service (no gateway):
#   GET /api/v1/products/{id} (random ids) next to pgbench -S at the same client count, on an
#   instance without the product cache and on one with room for every product (a first pass
#   over random ids, then one after every product was read), and a filtered, sorted listing.
#   Target: by-id rate at least 0.4 of pgbench's.
# The load comes from wrk (C, like pgbench), so the figures are the service's, not the client's.
# Usage: bench/products.sh   (env: DURATION=10 CLIENTS=8 PRODUCTS=100000; PROFILE=1 to record the cached
#        service with perf during its last by-id run and print where its time goes)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-8}
PRODUCTS=${PRODUCTS:-100000}

rate() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p99() { awk '$1 == "99%" {print $2}' <<<"$1"; }

ensure_dependencies
log "building (release)"
ensure_wrk
swift build -c release --product product-service >&2
swift build -c release --product bench-tool >&2
BIN=$(swift build -c release --show-bin-path)

bench_workspace

PG_PORT=$(start_scratch_server "$WORK")
DB_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# Two instances on the same database: one without the cache (every read is a query) and one
# with room for every product (a product is read from memory once it has been read).
start_service() { # ENTRIES NAME: starts an instance, sets SERVICE_PID and URL
  local port
  port=$(free_port)
  PORT=$port DATABASE_URL=$DB_URL DB_MAX_CONNECTIONS=$CLIENTS MIGRATIONS_DIR="$ROOT/database/migrations/product" \
    LOG_LEVEL=warning PRODUCT_CACHE_ENTRIES=$1 "$BIN/product-service" >"$WORK/$2.log" 2>&1 &
  SERVICE_PID=$!
  BENCH_PIDS+=("$SERVICE_PID")
  URL=http://127.0.0.1:$port
  until curl -fs "$URL/health/ready" >/dev/null; do sleep 0.2; done
}
start_service "$PRODUCTS" cached-service
CACHED_PID=$SERVICE_PID CACHED_URL=$URL
start_service 0 product-service

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
log "GET /api/v1/products/{id} without the cache: $CLIENTS clients, ${DURATION}s"
BEFORE=$(cpu_ticks "$SERVICE_PID")
THREADS_BEFORE=$(thread_ticks "$SERVICE_PID")
BY_ID=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$WORK/by-id.lua" "$URL")
BY_ID_CPU=$(cpu_per_request "$BEFORE" "$(cpu_ticks "$SERVICE_PID")" "$BY_ID")
BY_ID_THREADS=$(thread_cpu_per_request "$THREADS_BEFORE" "$(thread_ticks "$SERVICE_PID")" "$BY_ID")

# HIT_SHARE: the share of cache lookups that hit since the last call, in percent (from /metrics).
LOOKUPS_HIT=0 LOOKUPS_MISS=0
hit_share() {
  local metrics hit miss
  metrics=$(curl -fs "$CACHED_URL/metrics")
  hit=$(awk '/^product_cache_lookups_total\{result="hit"\}/ {print $2}' <<<"$metrics")
  miss=$(awk '/^product_cache_lookups_total\{result="miss"\}/ {print $2}' <<<"$metrics")
  HIT_SHARE=$(python3 -c "h, m = ${hit:-0} - $LOOKUPS_HIT, ${miss:-0} - $LOOKUPS_MISS; print(f'{100 * h / max(h + m, 1):.0f}')")
  LOOKUPS_HIT=${hit:-0} LOOKUPS_MISS=${miss:-0}
}
hit_share
log "GET /api/v1/products/{id} with the cache, first pass: $CLIENTS clients, ${DURATION}s"
COLD=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$WORK/by-id.lua" "$CACHED_URL")
hit_share; COLD_HITS=$HIT_SHARE
# Every product read once, in id order (each wrk thread takes every other id), so that the
# next pass shows the cache holding the whole catalog.
cat >"$WORK/sweep.lua" <<LUA
local threads = 0
function setup(thread) thread:set("next", threads + 1); threads = threads + 1 end
function request() local id = next; next = next + 2; return wrk.format("GET", "/api/v1/products/" .. ((id - 1) % $PRODUCTS + 1)) end
LUA
SWEEP_SECONDS=$(python3 -c "import math; print(math.ceil($PRODUCTS / max(float('$(rate "$COLD")'), 1000) * 1.5) + 1)")
log "reading every product once through the cached instance (${SWEEP_SECONDS}s)"
wrk -t2 -c2 -d"${SWEEP_SECONDS}s" -s "$WORK/sweep.lua" "$CACHED_URL" >/dev/null
hit_share
log "GET /api/v1/products/{id} with the cache, after every product was read: $CLIENTS clients, ${DURATION}s"
[ -n "${PROFILE:-}" ] && profile_start "$CACHED_PID" "$WORK/perf.data" "$DURATION"
BEFORE=$(cpu_ticks "$CACHED_PID")
THREADS_BEFORE=$(thread_ticks "$CACHED_PID")
WARM=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$WORK/by-id.lua" "$CACHED_URL")
WARM_CPU=$(cpu_per_request "$BEFORE" "$(cpu_ticks "$CACHED_PID")" "$WARM")
WARM_THREADS=$(thread_cpu_per_request "$THREADS_BEFORE" "$(thread_ticks "$CACHED_PID")" "$WARM")
hit_share; WARM_HITS=$HIT_SHARE
[ -n "${PROFILE:-}" ] && profile_report "$WORK/perf.data"
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
CACHED_RSS=$(rss "$CACHED_PID")
UNCACHED_RSS=$(rss "$SERVICE_PID")
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
for output in "$BY_ID" "$COLD" "$WARM" "$LIST"; do
  ! grep -q "Non-2xx" <<<"$output" || die "non-2xx answers during the run: $output"
done

echo
echo "| measurement ($PRODUCTS products, $CLIENTS clients, ${DURATION}s) | reference | ours | ratio |"
echo "|---|---|---|---|"
ratio() { python3 -c "print(f'{$(rate "$1")/$PGBENCH_RATE:.2f}')"; }
echo "| GET /api/v1/products/{id}, no cache | pgbench -S: $PGBENCH_RATE tps | $(rate "$BY_ID") req/s, p99 $(p99 "$BY_ID") | $(ratio "$BY_ID") |"
echo "| GET /api/v1/products/{id}, cache, first pass ($COLD_HITS% hits) | pgbench -S: $PGBENCH_RATE tps | $(rate "$COLD") req/s, p99 $(p99 "$COLD") | $(ratio "$COLD") |"
echo "| GET /api/v1/products/{id}, cache, after every product was read ($WARM_HITS% hits) | pgbench -S: $PGBENCH_RATE tps | $(rate "$WARM") req/s, p99 $(p99 "$WARM") | $(ratio "$WARM") |"
echo "| GET $LISTING | — | $(rate "$LIST") req/s, p99 $(p99 "$LIST") | — |"
echo "| GET /ping, an empty Hummingbird route (the ceiling) | pgbench -S: $PGBENCH_RATE tps | $(rate "$PING") req/s, p99 $(p99 "$PING") | $(ratio "$PING") |"
echo
echo "CPU per request (user + system): product-service $BY_ID_CPU µs on GET /api/v1/products/{id} without the cache" \
  "($BY_ID_THREADS), $WARM_CPU µs with it, warm ($WARM_THREADS); bench-tool $PING_CPU µs on GET /ping." \
  "Resident memory: $CACHED_RSS MiB with every product cached, $UNCACHED_RSS MiB without the cache."
