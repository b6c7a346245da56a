#!/usr/bin/env bash
# Event streams through the gateway: STREAMS open at once (WATCHERS on the orders of a customer
# who orders and cancels; of the rest, half on a product nothing changes and half on the orders
# of a customer who orders nothing), the memory each costs the gateway and the
# services, and the time from a status change (a cancellation) to its event at every watcher,
# while wrk places orders as another customer. The reference, measured in the same run: the
# cancellation's own response time, the least a client polling for the change would wait.
# Usage: bench/streams.sh   (env: STREAMS=2000 WATCHERS=100 ROUNDS=30 CLIENTS=8 LOAD_SECONDS=60)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

STREAMS=${STREAMS:-2000}
WATCHERS=${WATCHERS:-100}
ROUNDS=${ROUNDS:-30}
CLIENTS=${CLIENTS:-8}
LOAD_SECONDS=${LOAD_SECONDS:-60}

ensure_dependencies
ensure_wrk
# Every stream comes from this machine's one address: lift the per-IP and per-user bounds.
export STREAM_LIMIT_PER_USER=$((STREAMS + 10)) STREAM_LIMIT_PER_IP=$((STREAMS + 10)) HTTP_MAX_CONNECTIONS_PER_IP=$((STREAMS + 1000))
ulimit -n 65536 2>/dev/null || true
start_release_stack

ADMIN=$(post /api/v1/auth/login "{\"email\":\"$BOOTSTRAP_ADMIN_EMAIL\",\"password\":\"$BOOTSTRAP_ADMIN_PASSWORD\"}" | field "['token']['id_token']")
WATCHER=$(post /api/v1/auth/register '{"email":"watcher@example.com","password":"bench-password","first_name":"W","last_name":"W"}' \
  | field "['token']['id_token']")
IDLER=$(post /api/v1/auth/register '{"email":"idler@example.com","password":"bench-password","first_name":"I","last_name":"I"}' \
  | field "['token']['id_token']")
BUYER=$(post /api/v1/auth/register '{"email":"buyer@example.com","password":"bench-password","first_name":"B","last_name":"B"}' \
  | field "['token']['id_token']")
CATEGORY=$(post /api/v1/categories '{"name":"Bench"}' "$ADMIN" | field "['id']")
product() { post /api/v1/products "{\"name\":\"$1\",\"price\":\"9.99\",\"stock\":10000000,\"category_id\":$CATEGORY,\"sku\":\"$1\"}" "$ADMIN" | field "['id']"; }
IDLE=$(product STREAM-IDLE)
ORDERED=$(product STREAM-ORDERED)
LOADED=$(product STREAM-LOAD)
cat >"$WORK/orders.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $BUYER"
wrk.body = '{"items":[{"product_id":$LOADED,"quantity":1}],"payment_method":"card","payment_token":"tok_visa","shipping_method":"standard"}'
LUA

log "placing orders in the background: $CLIENTS connections"
wrk -t2 -c"$CLIENTS" -d"${LOAD_SECONDS}s" --latency -s "$WORK/orders.lua" "$URL/api/v1/orders" >"$WORK/wrk.txt" &
LOAD=$!
pids="gateway=$(cat "$STACK_DIR/run/gateway.pid"),order-service=$(cat "$STACK_DIR/run/order-service.pid"),product-service=$(cat "$STACK_DIR/run/product-service.pid")"
log "opening $STREAMS streams ($WATCHERS on the watcher's orders), then $ROUNDS cancellations"
RESULT=$(python3 bench/streams.py "$GATEWAY_PORT" "$WATCHER" "$IDLE" "$ORDERED" $((STREAMS - WATCHERS)) "$WATCHERS" "$ROUNDS" "$pids" "$IDLER")
wait "$LOAD"
ORDERS=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
! grep -q "Non-2xx" "$WORK/wrk.txt" || die "non-2xx answers while placing orders: $(cat "$WORK/wrk.txt")"

python3 - "$RESULT" "$ORDERS" "$STREAMS" "$WATCHERS" <<'PY'
import json, sys
r, orders, streams, watchers = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
assert r["still_open"] == streams, f"only {r['still_open']} of {streams} streams stayed open"
idle = streams - watchers
held = {"gateway": streams, "product-service": idle // 2, "order-service": idle - idle // 2 + watchers}  # the streams each one serves
per = {name: (r["rss_after_kib"][name] - r["rss_before_kib"][name]) / held[name] for name in r["rss_before_kib"]}
event, reference = r["event_ms"], r["cancel_response_ms"]
print()
print(f"| measurement ({streams} streams open, orders placed meanwhile at {orders:.0f}/s) | reference | ours | ratio |")
print("|---|---|---|---|")
print(f"| cancellation to `order.cancelled` at each of the watchers ({event['samples']} events) | the cancellation's response: "
      f"p50 {reference['p50']} ms, p99 {reference['p99']} ms | p50 {event['p50']} ms, p99 {event['p99']} ms | "
      f"{event['p50'] / reference['p50']:.2f} (p50) |")
print()
print(f"Opening {streams} streams took {r['open_seconds']} s. Resident memory per open stream: "
      + ", ".join(f"{name} {kib:.1f} KiB over {held[name]} streams ({r['rss_before_kib'][name] / 1024:.0f} → {r['rss_after_kib'][name] / 1024:.0f} MiB)"
                  for name, kib in per.items()) + ".")
print("Threads before → with the streams open: " + ", ".join(
    f"{name} {r['threads_before'][name]} → {r['threads_after'][name]}" for name in r["threads_before"]) + ".")
PY
