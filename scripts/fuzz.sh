#!/usr/bin/env bash
# make fuzz: starts the stack on free ports (as make up does, in a throwaway STACK_DIR), then
# lets schemathesis (PyPI) generate requests for every operation of the gateway's merged
# /openapi.json (as an admin; account deletion and logout as a customer). It fails on any
# 5xx, any status the document does not list for the operation, and any response body that
# does not match its documented schema.
# Env: FUZZ_SECONDS (default 300), FUZZ_EXAMPLES per operation (default 30), FUZZ_SEED (a
# fixed default, so a run can be repeated; any other number explores further).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TOOLS=$ROOT/.build/fuzztools
if [ ! -x "$TOOLS/bin/schemathesis" ]; then
  log "installing schemathesis into $TOOLS"
  python3 -m venv "$TOOLS" >&2
  "$TOOLS/bin/pip" install -q "schemathesis==4.32.5" >&2
fi

WORK=$(mktemp -d /tmp/ecommerce-fuzz.XXXXXX)
start_throwaway_stack "$WORK"
URL=http://127.0.0.1:$GATEWAY_PORT
TOKEN=$(curl -fsS -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BOOTSTRAP_ADMIN_EMAIL\",\"password\":\"$BOOTSTRAP_ADMIN_PASSWORD\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["id_token"])')

CUSTOMER=$(curl -fsS -X POST "$URL/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"fuzz-customer@example.com","password":"fuzz-password-1","first_name":"F","last_name":"Z"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["id_token"])')
CHECKS=not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance
fuzz() { # token, then schemathesis filter options
  local token=$1
  shift
  "$TOOLS/bin/schemathesis" run "$URL/openapi.json" --checks "$CHECKS" --header "Authorization: Bearer $token" \
    --max-examples "${FUZZ_EXAMPLES:-30}" --max-time "${FUZZ_SECONDS:-300}" --workers 2 --warnings off \
    --seed "${FUZZ_SEED:-285870337810869830589470044667322806714}" "$@"
}

log "fuzzing every documented operation through the gateway, as an admin"
fuzz "$TOKEN" --exclude-path /api/v1/users/me --exclude-path /api/v1/auth/logout
# Deleting one's account and logging out end the session: those get a customer of their own.
log "fuzzing /api/v1/users/me and /api/v1/auth/logout as a customer"
fuzz "$CUSTOMER" --include-path /api/v1/users/me --include-path /api/v1/auth/logout
