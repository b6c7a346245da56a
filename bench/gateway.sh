#!/usr/bin/env bash
# Gateway overhead, in one run: wrk on GET /api/v1/products/{id} straight to the Product
# service, through the gateway, and through nginx configured as a keep-alive reverse proxy
# for the same route. Targets: gateway throughput at least 0.9 of nginx's, added p50 latency
# under 0.5 ms over direct, zero api_logs rows dropped.
# Usage: bench/gateway.sh   (env: DURATION=10 CLIENTS=8 PRODUCTS=1000; PROFILE=1 to record the gateway
#        with perf during its run and print where its time goes)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$(dirname "$0")/wrk.sh"
cd "$ROOT"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-8}
PRODUCTS=${PRODUCTS:-1000}

ensure_dependencies
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq "$tool" >/dev/null; } || die "install $tool"
done
log "building (release)"
swift build -c release --product product-service >&2
swift build -c release --product gateway >&2
BIN=$(swift build -c release --show-bin-path)

bench_workspace

start_product_catalog
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE gateway"
GATEWAY_PORT=$(free_port)
NGINX_PORT=$(free_port)
PORT=$GATEWAY_PORT DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/gateway" MIGRATIONS_DIR="$ROOT/database/migrations/gateway" \
  PRODUCT_SERVICE_URL="http://127.0.0.1:$PRODUCT_PORT" RATE_LIMIT_ANON_PER_MINUTE=100000000 LOG_LEVEL=warning \
  "$BIN/gateway" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
BENCH_PIDS+=("$GATEWAY_PID")
until curl -fs "http://127.0.0.1:$GATEWAY_PORT/health/live" >/dev/null; do sleep 0.2; done

cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  proxy_temp_path $WORK/nginx-proxy;
  upstream product { server 127.0.0.1:$PRODUCT_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /api/v1/products {
      proxy_pass http://product;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -c "$WORK/nginx.conf"
until [ -s "$WORK/nginx.pid" ]; do sleep 0.1; done  # written by the daemon, after nginx returns
BENCH_PIDS+=("$(cat "$WORK/nginx.pid")")

WRK_SCRIPT=$WORK/by-id.lua
cat >"$WRK_SCRIPT" <<LUA
request = function() return wrk.format("GET", "/api/v1/products/" .. math.random(1, $PRODUCTS)) end
LUA
# run, also writing to $WORK/cpu-NAME the CPU the processes PID... spent per request: run_cpu NAME PORT PID...
run_cpu() {
  local name=$1 port=$2 before output
  shift 2
  before=$(cpu_ticks "$@")
  output=$(run "$name" "$port")
  cpu_per_request "$before" "$(cpu_ticks "$@")" "$output" >"$WORK/cpu-$name"
  echo "$output"
}

NGINX_WORKERS=$(pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ')
DIRECT=$(run_cpu direct "$PRODUCT_PORT" "$PRODUCT_PID")
[ -n "${PROFILE:-}" ] && profile_start "$GATEWAY_PID" "$WORK/perf.data" "$DURATION"
THREADS_BEFORE=$(thread_ticks "$GATEWAY_PID")
GATEWAY=$(run_cpu gateway "$GATEWAY_PORT" "$GATEWAY_PID")
GATEWAY_THREADS=$(thread_cpu_per_request "$THREADS_BEFORE" "$(thread_ticks "$GATEWAY_PID")" "$GATEWAY")
[ -n "${PROFILE:-}" ] && profile_report "$WORK/perf.data"
# shellcheck disable=SC2086 # one argument per worker
NGINX=$(run_cpu nginx "$NGINX_PORT" $NGINX_WORKERS)

sleep 2  # the gateway writes its queued api_logs rows every 500 ms
ROWS=$(psql -X -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d gateway -c "SELECT count(*) FROM api_logs WHERE path LIKE '/api/v1/products/%'")
SENT=$(awk '/requests in/ {print $1}' <<<"$GATEWAY")
DROPPED=$(curl -fs "http://127.0.0.1:$GATEWAY_PORT/metrics" | awk '/^gateway_api_logs_dropped_total/ {print $2}')
# One connection: the latency each path adds when nothing waits for a core.
DIRECT_ONE=$(run direct "$PRODUCT_PORT" 1)
GATEWAY_ONE=$(run gateway "$GATEWAY_PORT" 1)

echo
echo "| path ($CLIENTS connections, ${DURATION}s) | req/s | p50 |"
echo "|---|---|---|"
echo "| direct to the Product service | $(rate "$DIRECT") | $(p50 "$DIRECT") |"
echo "| through the gateway | $(rate "$GATEWAY") | $(p50 "$GATEWAY") |"
echo "| through nginx (keep-alive proxy) | $(rate "$NGINX") | $(p50 "$NGINX") |"
echo
echo "gateway / nginx throughput: $(python3 -c "print(f'{$(rate "$GATEWAY")/$(rate "$NGINX"):.2f}')") (target ≥ 0.9)"
echo "gateway added p50 over direct: $(python3 -c "print(f'{$(ms "$(p50 "$GATEWAY")")-$(ms "$(p50 "$DIRECT")"):.3f} ms')") (target < 0.5 ms)"
echo "api_logs rows: $ROWS for $SENT requests through the gateway; dropped (metric): ${DROPPED:-0}"
echo
echo "CPU per request (user + system): Product service $(cat "$WORK/cpu-direct") µs (direct run);" \
  "gateway $(cat "$WORK/cpu-gateway") µs; nginx workers $(cat "$WORK/cpu-nginx") µs"
echo "the gateway's CPU per request by thread: $GATEWAY_THREADS"
echo "one connection, p50: direct $(p50 "$DIRECT_ONE"), gateway $(p50 "$GATEWAY_ONE");" \
  "added $(python3 -c "print(f'{$(ms "$(p50 "$GATEWAY_ONE")")-$(ms "$(p50 "$DIRECT_ONE")"):.3f} ms')")"
