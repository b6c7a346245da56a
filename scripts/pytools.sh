# The Python tools some checks use, from PyPI into a virtualenv under .build/pytools, once
# (parallel callers wait for the first): jsonschema, PyYAML, kubernetes-validate (the
# Kubernetes API schemas) and the Compose Specification schema shipped in docker-compose 1.29.2.
# shellcheck shell=bash
PYTOOLS=$ROOT/.build/pytools

ensure_pytools() {
  mkdir -p "$ROOT/.build"
  exec 9>"$ROOT/.build/pytools.lock"
  flock 9
  if [ ! -f "$PYTOOLS/ready" ]; then
    log "installing the validation tools into $PYTOOLS"
    rm -rf "$PYTOOLS"
    python3 -m venv "$PYTOOLS" >&2
    "$PYTOOLS/bin/pip" install -q jsonschema==4.26.0 PyYAML kubernetes-validate==1.37.0 >&2
    "$PYTOOLS/bin/pip" download -q --no-deps docker-compose==1.29.2 -d "$PYTOOLS/wheel" >&2
    "$PYTOOLS/bin/python" -c "import zipfile,glob; z=zipfile.ZipFile(glob.glob('$PYTOOLS/wheel/*.whl')[0]); open('$PYTOOLS/compose_spec.json','wb').write(z.read('compose/config/compose_spec.json'))"
    touch "$PYTOOLS/ready"
  fi
  flock -u 9
}
