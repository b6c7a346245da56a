#!/usr/bin/env bash
# Checks recorded responses against the OpenAPI documents in docs/openapi: each status must be
# documented for its operation and each JSON body must match the documented schema.
# Usage: scripts/check-openapi.sh SAMPLES.json   (a list of {service, method, path, status, body})
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/pytools.sh"
cd "$ROOT"

ensure_pytools
exec "$PYTOOLS/bin/python" "$ROOT/scripts/check_openapi_samples.py" "$ROOT/docs/openapi" "$@"
