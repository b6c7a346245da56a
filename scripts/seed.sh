#!/usr/bin/env bash
# make seed: loads the demo catalog (database/seed/catalog.sql) into the running stack's
# product database, as its owner role (ports and roles: stack-config.sh). Env: SEED_PRODUCTS (1200).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
source "$ROOT/scripts/stack-config.sh"
stack_entry product
COUNT=${SEED_PRODUCTS:-1200}
pg_isready -q -h 127.0.0.1 -p "$S_DB_PORT" || die "the product database is not running on port $S_DB_PORT: run make up first"
log "loading $COUNT demo products into $S_DATABASE on port $S_DB_PORT"
product_psql() { PGPASSWORD=$S_OWNER_PASSWORD psql -X -h 127.0.0.1 -p "$S_DB_PORT" -U "$S_OWNER" -d "$S_DATABASE" "$@"; }
product_psql -q -v ON_ERROR_STOP=1 -v count="$COUNT" -v draft_every=40 -f database/seed/catalog.sql
product_psql -tA -c "SELECT count(*) || ' categories' FROM categories UNION ALL SELECT count(*) || ' products' FROM products"
