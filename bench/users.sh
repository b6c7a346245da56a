#!/usr/bin/env bash
# User service benchmarks, each next to a reference measured in the same run:
#   logins/s next to bcrypt hashes/s at the same cost and concurrency (login is bcrypt-bound:
#   the ratio shows what the rest of a login costs), and GET /api/v1/users/me requests/s.
# Usage: bench/users.sh   (env: DURATION=10 CONCURRENCY=16 BCRYPT_COST=10)
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-16}
BCRYPT_COST=${BCRYPT_COST:-10}

ensure_dependencies
log "building (release)"
swift build -c release --product bench-tool >&2
swift build -c release --product user-service >&2
BIN=$(swift build -c release --show-bin-path)

bench_workspace

PG_PORT=$(start_scratch_server "$WORK")
PORT=$(free_port)
PORT=$PORT DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" MIGRATIONS_DIR="$ROOT/database/migrations/user" \
  DOCUMENT_INDEXES_FILE="$ROOT/database/document-indexes.json" BCRYPT_COST=$BCRYPT_COST LOG_LEVEL=warning \
  "$BIN/user-service" >"$WORK/user-service.log" 2>&1 &
BENCH_PIDS+=($!)
URL=http://127.0.0.1:$PORT
until curl -fs "$URL/health/ready" >/dev/null; do sleep 0.2; done

CREDENTIALS='{"email":"bench@example.com","password":"correct horse battery"}'
TOKEN=$(curl -fs -X POST "$URL/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse battery","first_name":"Bench","last_name":"Mark"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["id_token"])')

CORES=$(nproc)
log "bcrypt: cost $BCRYPT_COST, $CORES workers, ${DURATION}s"
BCRYPT_LINE=$("$BIN/bench-tool" bcrypt --cost "$BCRYPT_COST" --concurrency "$CORES" --duration "$DURATION")
log "logins: $CONCURRENCY concurrent, ${DURATION}s"
LOGIN_LINE=$("$BIN/bench-tool" http --url "$URL/api/v1/auth/login" --method POST --header 'Content-Type: application/json' \
  --body "$CREDENTIALS" --concurrency "$CONCURRENCY" --duration "$DURATION")
log "GET /api/v1/users/me: $CONCURRENCY concurrent, ${DURATION}s"
ME_LINE=$("$BIN/bench-tool" http --url "$URL/api/v1/users/me" --header "Authorization: Bearer $TOKEN" \
  --concurrency "$CONCURRENCY" --duration "$DURATION")

rate() { sed -E 's/.*rate=([0-9.]+).*/\1/' <<<"$1"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo
echo "| measurement | reference | ours | ratio |"
echo "|---|---|---|---|"
echo "| POST /api/v1/auth/login, $CONCURRENCY concurrent | bcrypt cost $BCRYPT_COST on $CORES threads: $(rate "$BCRYPT_LINE") hashes/s | $(rate "$LOGIN_LINE") logins/s ($LOGIN_LINE) | $(ratio "$(rate "$LOGIN_LINE")" "$(rate "$BCRYPT_LINE")") |"
echo "| GET /api/v1/users/me, $CONCURRENCY concurrent | — | $(rate "$ME_LINE") req/s ($ME_LINE) | — |"
