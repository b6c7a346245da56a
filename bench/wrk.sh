# wrk helpers for the benchmarks that compare HTTP paths, and the catalog they read.
# Source after scripts/lib.sh.
# shellcheck shell=bash

# run NAME PORT [CONNECTIONS]: wrk on 127.0.0.1:PORT for $DURATION seconds with $WRK_SCRIPT
# (CONNECTIONS defaults to $CLIENTS), latency percentiles included; any non-2xx answer ends the run.
run() {
  local connections=${3:-$CLIENTS} output
  log "$1: $connections connections, ${DURATION}s"
  output=$(wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${DURATION}s" --latency -s "$WRK_SCRIPT" "http://127.0.0.1:$2")
  ! grep -q "Non-2xx" <<<"$output" || die "non-2xx answers through $1: $output"
  echo "$output"
}
rate() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p50() { awk '$1 == "50%" {print $2}' <<<"$1"; }
# ms DURATION: wrk's "812.00us", "1.20ms" or "2.01s" in milliseconds.
ms() { python3 -c "import sys; v=sys.argv[1]; print(float(v[:-2]) if v.endswith('ms') else float(v[:-2])/1000 if v.endswith('us') else float(v[:-1])*1000)" "$1"; }

# start_product_catalog: after bench_workspace, with BIN and PRODUCTS set. A scratch
# PostgreSQL server (PG_PORT) and a Product service on it (PRODUCT_PORT, PRODUCT_PID) holding
# $PRODUCTS published products from database/seed/catalog.sql.
start_product_catalog() {
  PG_PORT=$(start_scratch_server "$WORK")
  PRODUCT_PORT=$(free_port)
  PORT=$PRODUCT_PORT DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" MIGRATIONS_DIR="$ROOT/database/migrations/product" \
    LOG_LEVEL=warning "$BIN/product-service" >"$WORK/product.log" 2>&1 &
  PRODUCT_PID=$!
  BENCH_PIDS+=("$PRODUCT_PID")
  until curl -fs "http://127.0.0.1:$PRODUCT_PORT/health/ready" >/dev/null; do sleep 0.2; done
  psql -X -q -v ON_ERROR_STOP=1 -v count="$PRODUCTS" -v draft_every=0 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -f database/seed/catalog.sql
}
