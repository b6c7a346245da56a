#!/usr/bin/env bash
# Order placement through the gateway: POST /api/v1/orders (the whole saga: user check,
# stock reservation, payment, confirmation, four processes and four databases) with wrk at
# 16 connections, next to pgbench's TPC-B rate on the order database's server in the same run.
# Target: at least 300 orders/s with p99 at most 150 ms.
# Usage: bench/orders.sh   (env: DURATION=15 CLIENTS=16 PRODUCTS=50; PROFILE=order-service to
#        record that process with perf during the run and print where its time goes)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-16}
PRODUCTS=${PRODUCTS:-50}

ensure_dependencies
ensure_wrk
start_release_stack

ADMIN=$(post /api/v1/auth/login "{\"email\":\"$BOOTSTRAP_ADMIN_EMAIL\",\"password\":\"$BOOTSTRAP_ADMIN_PASSWORD\"}" | field "['token']['id_token']")
CUSTOMER=$(post /api/v1/auth/register '{"email":"bench@example.com","password":"bench-password","first_name":"B","last_name":"B"}' \
  | field "['token']['id_token']")
CATEGORY=$(post /api/v1/categories '{"name":"Bench"}' "$ADMIN" | field "['id']")
FIRST=
for i in $(seq 1 "$PRODUCTS"); do
  id=$(post /api/v1/products "{\"name\":\"Bench $i\",\"price\":\"$((i % 40 + 1)).99\",\"stock\":10000000,\"category_id\":$CATEGORY,\"sku\":\"BENCH-$i\"}" "$ADMIN" \
    | field "['id']")
  FIRST=${FIRST:-$id}
done
cat >"$WORK/orders.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $CUSTOMER"
request = function()
  local product = math.random($FIRST, $FIRST + $PRODUCTS - 1)
  local body = '{"items":[{"product_id":' .. product .. ',"quantity":1}],"payment_method":"card","payment_token":"tok_visa","shipping_method":"standard"}'
  return wrk.format(nil, nil, nil, body)
end
LUA

log "warming up"
wrk -t2 -c"$CLIENTS" -d3s -s "$WORK/orders.lua" "$URL/api/v1/orders" >/dev/null
log "POST /api/v1/orders through the gateway: $CLIENTS connections, ${DURATION}s"
if [ -n "${PROFILE:-}" ]; then
  # A database's work happens in its backends: the server's children, listed with it.
  PIDS=$({ cat "$STACK_DIR/run/$PROFILE.pid"; pgrep -P "$(cat "$STACK_DIR/run/$PROFILE.pid")" || true; } | paste -sd,)
  profile_start "$PIDS" "$WORK/perf.data" "$DURATION"
fi
cpu_seconds() { # part: user+system CPU seconds so far (the part's main process, and for a database its backends)
  local pid; pid=$(cat "$STACK_DIR/run/$1.pid")
  { echo "$pid"; pgrep -P "$pid" || true; } | while read -r p; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done \
    | awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {printf "%.1f", s / hz}'
}
PARTS=(gateway user-service product-service order-service gateway-db user-db product-db order-db)
declare -A BEFORE
for part in "${PARTS[@]}"; do BEFORE[$part]=$(cpu_seconds "$part"); done
ORDERS=$(wrk -t2 -c"$CLIENTS" -d"${DURATION}s" --latency -s "$WORK/orders.lua" "$URL/api/v1/orders")
CPU=""
for part in "${PARTS[@]}"; do CPU+="$part $(python3 -c "print(f'{$(cpu_seconds "$part") - ${BEFORE[$part]}:.1f}')")s, "; done
if [ -n "${PROFILE:-}" ]; then
  profile_report "$WORK/perf.data"
  [ -n "${PERF_KEEP:-}" ] && cp "$WORK/perf.data" "$PERF_KEEP"
fi
! grep -q "Non-2xx" <<<"$ORDERS" || die "non-2xx answers during the run: $ORDERS"

PGBENCH=(-h 127.0.0.1 -p "$ORDER_DB_PORT" -U order_user)
PGPASSWORD=order_pass "$(pg_bindir)/pgbench" "${PGBENCH[@]}" -i -s 1 -q order_database >/dev/null 2>&1
log "pgbench TPC-B on the order database's server: $CLIENTS clients, ${DURATION}s"
TPCB=$(PGPASSWORD=order_pass "$(pg_bindir)/pgbench" "${PGBENCH[@]}" -c "$CLIENTS" -j 2 -T "$DURATION" order_database 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')

rate() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
pct() { awk -v p="$2" '$1 == p {print $2}' <<<"$1"; }
echo
echo "| measurement ($CLIENTS connections, ${DURATION}s) | reference | ours | ratio |"
echo "|---|---|---|---|"
echo "| POST /api/v1/orders through the gateway | pgbench TPC-B: $TPCB tps | $(rate "$ORDERS") orders/s, p50 $(pct "$ORDERS" 50%), p99 $(pct "$ORDERS" 99%) | $(python3 -c "print(f'{$(rate "$ORDERS")/$TPCB:.2f}')") |"
echo
echo "CPU during the ${DURATION}s run: ${CPU%, }"
