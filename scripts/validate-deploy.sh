#!/usr/bin/env bash
# Validates docker-compose.yml (Compose Specification schema), deploy/k8s (Kubernetes API
# schemas, strict) and the Dockerfile's stages; no Docker engine needed.
# Usage: scripts/validate-deploy.sh [compose FILE | k8s DIR | dockerfile FILE]   (default: all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/pytools.sh"
cd "$ROOT"

ensure_pytools
if [ $# -eq 0 ]; then set -- all "$ROOT"; fi
exec "$PYTOOLS/bin/python" "$ROOT/scripts/validate_deploy.py" "$@"
