#!/usr/bin/env bash
# make test: builds, starts a throwaway PostgreSQL server on a free port, runs every test
# suite against it, and stops it again whatever the outcome.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_dependencies

log "building the services and the tests"
swift build --build-tests >&2

warn_if_disk_is_short /tmp 3000
WORK=$(mktemp -d /tmp/ecommerce-test.XXXXXX)
cleanup() {
  # Every step runs whatever the one before gave (under set -e, a failed `stack.sh down` of a
  # half-started stack used to end the clean-up there, leaving servers and files behind).
  set +e
  # Stacks the end-to-end tests started and could not stop.
  for stack in "$WORK"/stack-*; do
    [ -d "$stack" ] && STACK_DIR=$stack bash "$ROOT/scripts/stack.sh" down >/dev/null 2>&1
  done
  # The shared server, and any a test started for itself and could not stop.
  for data in "$WORK/data" "$WORK"/pg-*/data; do
    [ -d "$data" ] && stop_cluster "$data"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(start_scratch_server "$WORK")
log "started a throwaway PostgreSQL server on port $PORT"

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export TEST_WORK_DIR=$WORK
# The run's failures are printed again at the end: a CI log may show only its tail.
status=0
swift test --skip-build --parallel "$@" 2>&1 | tee "$WORK/test.log" || status=$?
if [ "$status" -ne 0 ]; then
  log "the failures of this run (status $status):"
  grep -E '✘|↳|Fatal error|error: ' "$WORK/test.log" | tail -n 150 >&2 || true
fi
exit "$status"
