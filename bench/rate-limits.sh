#!/usr/bin/env bash
# What sharing the rate limits costs, in one run: wrk on GET /api/v1/products/{id} through a
# gateway counting in its own memory and through one sharing its limits through Redis (one
# Lua script per request on the server, every request on one client's bucket), next to the
# Product service direct and Redis's own round trip (redis-benchmark PING) as references.
# Prints the shared/local throughput ratio and what sharing adds to p50 on one connection.
# Usage: bench/rate-limits.sh   (env: DURATION=10 CLIENTS=8 PRODUCTS=1000 CONFIGURATION=release)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$(dirname "$0")/wrk.sh"
cd "$ROOT"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-8}
PRODUCTS=${PRODUCTS:-1000}
CONFIGURATION=${CONFIGURATION:-release}

ensure_dependencies
ensure_wrk
log "building ($CONFIGURATION)"
swift build -c "$CONFIGURATION" --product product-service >&2
swift build -c "$CONFIGURATION" --product gateway >&2
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)

bench_workspace

start_product_catalog
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE local_gateway" -c "CREATE DATABASE shared_gateway"
REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
BENCH_PIDS+=("$!")

start_gateway() { # database [redis url]: prints the port
  local port; port=$(free_port)
  PORT=$port DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$1" MIGRATIONS_DIR="$ROOT/database/migrations/gateway" \
    PRODUCT_SERVICE_URL="http://127.0.0.1:$PRODUCT_PORT" RATE_LIMIT_ANON_PER_MINUTE=100000000 RATE_LIMIT_REDIS_URL="${2:-}" \
    LOG_LEVEL=info "$BIN/gateway" >"$WORK/$1.log" 2>&1 &
  BENCH_PIDS+=("$!")
  until curl -fs "http://127.0.0.1:$port/health/live" >/dev/null; do sleep 0.2; done
  echo "$port"
}
LOCAL_PORT=$(start_gateway local_gateway)
SHARED_PORT=$(start_gateway shared_gateway "redis://127.0.0.1:$REDIS_PORT")

WRK_SCRIPT=$WORK/by-id.lua
cat >"$WRK_SCRIPT" <<LUA
request = function() return wrk.format("GET", "/api/v1/products/" .. math.random(1, $PRODUCTS)) end
LUA
scripts() { redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' | awk -F'[=,]' '/^cmdstat_evalsha:/ {print $2}'; }

run local "$LOCAL_PORT" >/dev/null  # warm-up: caches, connections
run shared "$SHARED_PORT" >/dev/null
grep -q "rate limits shared through Redis" "$WORK/shared_gateway.log" || die "the shared gateway never reached Redis: $(tail -n 5 "$WORK/shared_gateway.log")"
DIRECT=$(run direct "$PRODUCT_PORT")
LOCAL=$(run local "$LOCAL_PORT")
BEFORE=$(scripts)
SHARED=$(run shared "$SHARED_PORT")
AFTER=$(scripts)
LOCAL_ONE=$(run local "$LOCAL_PORT" 1)
SHARED_ONE=$(run shared "$SHARED_PORT" 1)
PING=$(redis-benchmark -p "$REDIS_PORT" -t ping_mbulk -n 50000 -c 1 -q | tr '\r' '\n' | tail -n 2 | grep -v '^$' | tail -n 1)
FALLBACKS=$(curl -fs "http://127.0.0.1:$SHARED_PORT/metrics" | awk '/^gateway_rate_limit_local_decisions_total/ {print $2}')

echo
echo "| path ($CLIENTS connections, ${DURATION}s, $CONFIGURATION) | req/s | p50 |"
echo "|---|---|---|"
echo "| direct to the Product service | $(rate "$DIRECT") | $(p50 "$DIRECT") |"
echo "| gateway, limits in its memory | $(rate "$LOCAL") | $(p50 "$LOCAL") |"
echo "| gateway, limits shared through Redis | $(rate "$SHARED") | $(p50 "$SHARED") |"
echo
echo "shared / local throughput: $(python3 -c "print(f'{$(rate "$SHARED")/$(rate "$LOCAL"):.2f}')")"
echo "Redis scripts run during the shared run: $((AFTER - BEFORE)) for $(awk '/requests in/ {print $1}' <<<"$SHARED") requests;" \
  "decided locally (fallback): ${FALLBACKS:-0}"
echo "one connection, p50: local $(p50 "$LOCAL_ONE"), shared $(p50 "$SHARED_ONE");" \
  "sharing adds $(python3 -c "print(f'{$(ms "$(p50 "$SHARED_ONE")")-$(ms "$(p50 "$LOCAL_ONE")"):.3f} ms')")"
echo "reference, redis-benchmark PING on one connection: $PING"
