#!/usr/bin/env bash
# make fuzz: starts the stack on free ports (as make up does, in a throwaway STACK_DIR), then
# lets schemathesis (PyPI) generate requests for every operation of the gateway's merged
# /openapi.json with every check it has (--checks all: server errors, statuses, headers,
# content types and bodies against the document, schema-valid requests accepted and invalid
# ones refused, undeclared methods and their Allow header, auth enforced, one customer's
# objects hidden from another, created objects reachable through the documents' links and
# gone once deleted), once per identity:
#   admin      every operation but those that end the session
#   customer   the same, as a customer; a second customer replays its reads (404 expected)
#   anonymous  every operation with no credentials at all
#   session    account deletion, profile changes and logout, as a customer of their own
# Exceptions the document cannot state are in scripts/schemathesis.toml, each with its reason.
# Env: FUZZ_SECONDS per run (default 300), FUZZ_EXAMPLES per operation (default 30),
# FUZZ_SEEDS (space-separated; fixed defaults, so a run can be repeated), FUZZ_PHASES
# (default all; make test's document check runs the coverage phase alone), FUZZ_AS (which of
# the identities above, default all four; customer is customer-a).
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

id_token() { python3 -c 'import json,sys; print(json.load(sys.stdin)["token"]["id_token"])'; }
sign_in() { # email password: a fresh id token
  curl -fsS -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | id_token
}
customer() { # email: a new customer's id token
  curl -fsS -X POST "$URL/api/v1/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"fuzz-password-1\",\"first_name\":\"F\",\"last_name\":\"Z\"}" | id_token
}

# The identities, as a Web Fuzzing Commons auth document. The two customers are peers: what
# one created, the other must not see.
python3 - "$WORK/identities.json" "$(sign_in "$BOOTSTRAP_ADMIN_EMAIL" "$BOOTSTRAP_ADMIN_PASSWORD")" \
  "$(customer fuzz-customer-a@example.com)" "$(customer fuzz-customer-b@example.com)" <<'PY'
import json, sys
names = ["admin", "customer-a", "customer-b"]
auth = [{"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
        for name, token in zip(names, sys.argv[2:])]
json.dump({"schemaVersion": "0.2.0", "auth": auth}, open(sys.argv[1], "w"))
PY

config_for() { # identity: scripts/schemathesis.toml, with that identity of the document signed in
  local file=$WORK/$1.toml
  cp scripts/schemathesis.toml "$file"
  case $1 in admin | customer-*)
    printf '\n[auth.wfc]\npath = "%s"\nuser = "%s"\npeers = ["customer-a", "customer-b"]\n' \
      "$WORK/identities.json" "$1" >>"$file" ;;
  esac
  echo "$file"
}

fuzz() { # identity seed, then schemathesis filter options
  local identity=$1 seed=$2 auth=() phases=${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}
  shift 2
  log "fuzzing as $identity (seed $seed)"
  # Deleting one's account, changing one's password and logging out end the session: each
  # run of those has a customer of its own, signed in by a header.
  if [ "$identity" = session ]; then
    auth=(--header "Authorization: Bearer $(customer "fuzz-session-$seed@example.com")")
    # No link joins these three operations, so there is nothing for the stateful phase.
    phases=${phases//,stateful/}
  fi
  # The event streams (…/events) never end by themselves, so schemathesis, which reads a whole
  # response, would wait on each until its time ran out: EventStreamTests read them instead.
  # PostgreSQL text cannot hold U+0000, so every service refuses it (422, or 400 in a query):
  # generating it would only make schemathesis's positive checks disagree with that rule.
  SCHEMATHESIS_HOOKS=$ROOT/scripts/schemathesis_hooks.py "$TOOLS/bin/schemathesis" \
    --config-file "$(config_for "$identity")" run "$URL/openapi.json" "${auth[@]}" \
    --checks all --generation-allow-x00 false --phases "$phases" \
    --max-examples "${FUZZ_EXAMPLES:-30}" --max-time "${FUZZ_SECONDS:-300}" --workers 2 --warnings off \
    --seed "$seed" --exclude-path-regex '/events$' "$@"
}

SESSION_ENDING=("DELETE /api/v1/users/me" "PATCH /api/v1/users/me" "POST /api/v1/auth/logout")
keeping=() ending=()
for name in "${SESSION_ENDING[@]}"; do keeping+=(--exclude-name "$name"); ending+=(--include-name "$name"); done
# Every run runs, whatever the one before found; the script fails if any did.
failed=()
for seed in ${FUZZ_SEEDS:-285870337810869830589470044667322806714 4243}; do
  for identity in ${FUZZ_AS:-admin customer-a anonymous session}; do
    case $identity in
      session) fuzz session "$seed" "${ending[@]}" ;;
      anonymous) fuzz anonymous "$seed" ;;
      *) fuzz "$identity" "$seed" "${keeping[@]}" ;;
    esac || failed+=("$identity/$seed")
  done
done
if [ "${#failed[@]}" -gt 0 ]; then
  log "failed: ${failed[*]}"
  exit 1
fi
