#!/usr/bin/env bash
# make test: checks that every target declares what it imports, builds, starts a throwaway
# PostgreSQL server on a free port, runs every test suite against it, and stops it again
# whatever the outcome; then checks the OpenAPI documents against the services (make fuzz's
# coverage phase).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_dependencies
ensure_test_tools

log "checking that every target declares what it imports"
swift package dump-package | python3 scripts/check_imports.py >&2

log "building the services and the tests"
swift build --build-tests >&2

warn_if_disk_is_short /tmp 3000
WORK=$(mktemp -d /tmp/ecommerce-test.XXXXXX)
cleanup() {
  # Every step runs whatever the one before gave (under set -e, a failed `stack.sh down` of a
  # half-started stack used to end the clean-up there, leaving servers and files behind).
  set +e
  [ -n "${VMSTAT_PID:-}" ] && kill "$VMSTAT_PID" 2>/dev/null
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

# Every server of the run (this one, those tests start for themselves, the end-to-end stacks)
# holds data thrown away at the end, so none waits for the disk (see lib.sh).
export PG_DURABILITY=off
PORT=$(start_scratch_server "$WORK")
log "started a throwaway PostgreSQL server on port $PORT"

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export TEST_WORK_DIR=$WORK
# The machine's load, once a second, to tell a slow machine from a slow test if one fails.
if command -v vmstat >/dev/null; then
  vmstat -t 1 >"$WORK/vmstat.log" 2>&1 &
  VMSTAT_PID=$!
fi
# At most 8 tests at a time (swift-testing's setting; `--parallel` alone starts all 200 at
# once). Most tests wait on sockets and servers, so the run takes as long, but its first
# seconds no longer start dozens of services, databases and password hashes together: with
# the machine busy besides, that burst made services answer after their 15 s timeouts.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}
# The run's failures are printed again at the end: a CI log may show only its tail.
status=0
swift test --skip-build --parallel "$@" 2>&1 | tee "$WORK/test.log" || status=$?
if [ "$status" -ne 0 ]; then
  log "the machine during the first half minute (vmstat, one line a second):"
  head -n 32 "$WORK/vmstat.log" >&2 2>/dev/null || true
  log "the PostgreSQL server's complaints:"
  grep -E 'FATAL|PANIC|WARNING|too many' "$WORK/postgres.log" | tail -n 20 >&2 || true
  log "the failures of this run (status $status):"
  grep -E '✘|↳|Fatal error|error: ' "$WORK/test.log" | tail -n 150 >&2 || true
fi
# The document check: schemathesis's coverage phase (every documented constraint's edges, in
# and out of bounds, every undeclared method) against a stack of the build just made, as each
# identity make fuzz uses, with every check. A rule changed in code or document alone fails
# here. Not when the run was narrowed to some tests (`make test` with arguments).
if [ "$#" -eq 0 ]; then
  log "document check: make fuzz's coverage phase"
  FUZZ_PHASES=coverage FUZZ_SEEDS=1 SKIP_BUILD=1 bash scripts/fuzz.sh || status=$?
fi
exit "$status"
