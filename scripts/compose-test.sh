#!/usr/bin/env bash
# make compose-test: the Docker path, proven. Uses the Docker engine that answers or starts
# one of its own; pulls the base images or builds local stand-ins (docker/stand-ins); builds
# the image from the Dockerfile; starts docker-compose.yml on free loopback ports and uses it
# through the gateway (scripts/compose_checks.py: orders, the Operations table's Docker
# commands, restarts, replicas). Everything it started or made is removed at the end,
# whatever happens: containers, networks, volumes, its engine and its temporary folder.
# Env: COMPOSE_TEST_KEEP=1 leaves the stack running (for a look; then tear down by hand).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/docker-lib.sh"
cd "$ROOT"

ensure_dependencies
ensure_docker_tools
DOCKER_WORK=$(mktemp -d /tmp/ecommerce-compose.XXXXXX)
export COMPOSE_PROJECT_NAME=ecommerce-compose-test
compose() { docker-compose -f "$ROOT/docker-compose.yml" "$@"; }

finish() {
  local status=$?
  set +e
  if [ $status -ne 0 ] && docker info >/dev/null 2>&1; then
    log "failed; the containers' last log lines:"
    for container in $(compose ps -q 2>/dev/null); do
      echo "--- $(docker inspect -f '{{.Name}}' "$container")" >&2
      docker logs --tail 15 "$container" 2>&1 | sed 's/^/    /' >&2
    done
  fi
  if [ "${COMPOSE_TEST_KEEP:-0}" = 1 ] && [ $status -eq 0 ]; then
    log "COMPOSE_TEST_KEEP=1: the stack is left running (docker-compose -p $COMPOSE_PROJECT_NAME down -v)"
    exit $status
  fi
  compose --profile monitoring down -v --remove-orphans --timeout 10 >/dev/null 2>&1
  stop_docker_engine "$DOCKER_WORK"
  rm -rf "$DOCKER_WORK"
  exit $status
}
trap finish EXIT

start_docker_engine "$DOCKER_WORK/engine"
for name in postgres-user postgres-product postgres-order postgres-gateway redis user-service api-gateway api-gateway-2 prometheus; do
  if docker container inspect "$name" >/dev/null 2>&1; then
    die "a container named $name already exists in this engine (a stack of yours?): stop it first"
  fi
done
ensure_base_images

log "building the image from the Dockerfile (target runtime)"
started=$(date +%s)
docker build -q -t ecommerce-backend:latest --target runtime . >/dev/null 2>"$DOCKER_WORK/build.log" \
  || { tail -n 40 "$DOCKER_WORK/build.log" >&2; die "docker build failed"; }
size=$(docker image inspect -f '{{.Size}}' ecommerce-backend:latest)
log "built ecommerce-backend:latest in $(($(date +%s) - started)) s; image size $((size / 1000000)) MB"

# Free ports, published on loopback only; short saga timeout so a killed replica's sagas
# are taken over within the test.
export GATEWAY_PORT=127.0.0.1:$(free_port) POSTGRES_USER_PORT=127.0.0.1:$(free_port)
export POSTGRES_PRODUCT_PORT=127.0.0.1:$(free_port) POSTGRES_ORDER_PORT=127.0.0.1:$(free_port)
export POSTGRES_GATEWAY_PORT=127.0.0.1:$(free_port)
export INTERNAL_TOKEN=compose-test-$RANDOM$RANDOM ORDER_SAGA_TIMEOUT_MS=3000
export BOOTSTRAP_ADMIN_EMAIL=admin@compose-test.example BOOTSTRAP_ADMIN_PASSWORD=compose-test-admin-1
export RATE_LIMIT_ANON_PER_MINUTE=100000 RATE_LIMIT_USER_PER_MINUTE=100000

log "docker-compose up -d (gateway on $GATEWAY_PORT)"
compose up -d --no-build >"$DOCKER_WORK/up.log" 2>&1 || { cat "$DOCKER_WORK/up.log" >&2; die "docker-compose up failed"; }

python3 "$ROOT/scripts/compose_checks.py" --gateway "http://$GATEWAY_PORT" --project "$COMPOSE_PROJECT_NAME" \
  --compose-file "$ROOT/docker-compose.yml" --work "$DOCKER_WORK"

log "the monitoring profile: Prometheus scraping every replica"
export PROMETHEUS_PORT=127.0.0.1:$(free_port)
compose --profile monitoring up -d --no-build prometheus >"$DOCKER_WORK/prometheus.log" 2>&1 \
  || { cat "$DOCKER_WORK/prometheus.log" >&2; die "docker-compose --profile monitoring up failed"; }
python3 "$ROOT/scripts/compose_prometheus.py" "http://$PROMETHEUS_PORT" "$COMPOSE_PROJECT_NAME"

compose --profile monitoring down -v --remove-orphans --timeout 10 >/dev/null 2>&1
left=$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"; \
  docker network ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"; \
  docker volume ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
[ -z "$left" ] || die "docker-compose down left behind: $left"
log "compose-test passed: down -v left no container, network or volume"
