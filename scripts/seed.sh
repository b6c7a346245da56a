#!/usr/bin/env bash
# make seed: loads the demo catalog (database/seed/catalog.sql) into the running stack's
# product database. Env: PRODUCT_DB_PORT (5433), SEED_PRODUCTS (1200).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT=${PRODUCT_DB_PORT:-5433}
COUNT=${SEED_PRODUCTS:-1200}
pg_isready -q -h 127.0.0.1 -p "$PORT" || die "the product database is not running on port $PORT: run make up first"
log "loading $COUNT demo products into product_database on port $PORT"
PGPASSWORD=${PRODUCT_DB_PASSWORD:-product_pass} psql -X -q -v ON_ERROR_STOP=1 -v count="$COUNT" -v draft_every=40 \
  -h 127.0.0.1 -p "$PORT" -U "${PRODUCT_DB_USER:-product_user}" -d product_database -f database/seed/catalog.sql
PGPASSWORD=${PRODUCT_DB_PASSWORD:-product_pass} psql -X -tA -h 127.0.0.1 -p "$PORT" -U "${PRODUCT_DB_USER:-product_user}" \
  -d product_database -c "SELECT count(*) || ' categories' FROM categories UNION ALL SELECT count(*) || ' products' FROM products"
