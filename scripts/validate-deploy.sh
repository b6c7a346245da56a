#!/usr/bin/env bash
# Validates docker-compose.yml, deploy/k8s and the Dockerfile (no Docker engine needed).
# The tools come from PyPI into a virtualenv under .build/pytools, once:
#   jsonschema, PyYAML, kubernetes-validate (the Kubernetes API schemas), and the Compose
#   Specification schema shipped in the docker-compose 1.29.2 package.
# Usage: scripts/validate-deploy.sh [compose FILE | k8s DIR | dockerfile FILE]   (default: all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TOOLS=$ROOT/.build/pytools
mkdir -p "$ROOT/.build"
exec 9>"$ROOT/.build/pytools.lock"
flock 9  # parallel tests install once
if [ ! -f "$TOOLS/ready" ]; then
  log "installing the validation tools into $TOOLS"
  rm -rf "$TOOLS"
  python3 -m venv "$TOOLS" >&2
  "$TOOLS/bin/pip" install -q jsonschema==4.26.0 PyYAML kubernetes-validate==1.37.0 >&2
  "$TOOLS/bin/pip" download -q --no-deps docker-compose==1.29.2 -d "$TOOLS/wheel" >&2
  "$TOOLS/bin/python" -c "import zipfile,glob,sys; z=zipfile.ZipFile(glob.glob('$TOOLS/wheel/*.whl')[0]); open('$TOOLS/compose_spec.json','wb').write(z.read('compose/config/compose_spec.json'))"
  touch "$TOOLS/ready"
fi
flock -u 9
if [ $# -eq 0 ]; then set -- all "$ROOT"; fi
exec "$TOOLS/bin/python" "$ROOT/scripts/validate_deploy.py" "$@"
