# Docker helpers for scripts/compose-test.sh: a Docker engine (the one that answers, or one of
# our own) and the base images the Dockerfile and docker-compose.yml name (pulled, or built
# locally from docker/stand-ins/ when they cannot be). Source after lib.sh, don't run.

DEBIAN_IMAGE=debian:bookworm-slim
SWIFT_IMAGE=swift:6.3-bookworm
POSTGRES_IMAGE=postgres:15-bookworm
REDIS_IMAGE=redis:7-bookworm
PROMETHEUS_IMAGE=prom/prometheus:v2.42.0

# Installs what the Docker path needs from Debian when it is missing (as root).
ensure_docker_tools() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages; run: sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# start_docker_engine DIR: uses the engine `docker info` reaches; otherwise starts dockerd
# with everything under DIR (data, exec root, socket, pid file) and exports DOCKER_HOST.
# OWN_ENGINE_PID is set when the engine is ours, for stop_docker_engine.
OWN_ENGINE_PID=
start_docker_engine() {
  local dir=$1
  if docker info >/dev/null 2>&1; then
    log "using the running Docker engine ($(docker version --format '{{.Server.Version}}'))"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "no Docker engine answers, and starting one needs root"
  mkdir -p "$dir/data" "$dir/exec"
  log "starting a Docker engine of our own under $dir"
  dockerd --data-root "$dir/data" --exec-root "$dir/exec" --storage-driver overlay2 \
    --host "unix://$dir/docker.sock" --pidfile "$dir/docker.pid" >"$dir/dockerd.log" 2>&1 &
  OWN_ENGINE_PID=$!
  export DOCKER_HOST=unix://$dir/docker.sock
  local tries=0
  until docker info >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ $tries -gt 60 ] || ! kill -0 "$OWN_ENGINE_PID" 2>/dev/null; then
      tail -n 20 "$dir/dockerd.log" >&2
      die "the Docker engine did not start"
    fi
    sleep 0.5
  done
  log "Docker engine $(docker version --format '{{.Server.Version}}') up"
}

# Stops the engine start_docker_engine started (its containers die with it) and removes its
# folder; a running engine we only used is left alone.
stop_docker_engine() {
  local dir=$1
  [ -n "$OWN_ENGINE_PID" ] || return 0
  kill "$OWN_ENGINE_PID" 2>/dev/null || true
  local tries=0
  while kill -0 "$OWN_ENGINE_PID" 2>/dev/null && [ $tries -lt 60 ]; do sleep 0.5; tries=$((tries + 1)); done
  kill -9 "$OWN_ENGINE_PID" 2>/dev/null || true
  pkill -f "containerd.*$dir/exec" 2>/dev/null || true
  # Overlay mounts of the engine's containers, if it died without unmounting them.
  grep -o " $dir/[^ ]*" /proc/mounts | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
  OWN_ENGINE_PID=
}

# ensure_image NAME BUILDER: the image when the engine has it or can pull it, else BUILDER
# (a function) builds a stand-in under that name. Says which.
ensure_image() {
  local image=$1 builder=$2
  if docker image inspect "$image" >/dev/null 2>&1; then
    log "base image $image: present"
  elif docker pull -q "$image" >/dev/null 2>&1; then
    log "base image $image: pulled"
  else
    log "base image $image: cannot be pulled here; building a local stand-in (docker/stand-ins)"
    "$builder" "$image"
  fi
}

# debian:bookworm-slim from debootstrap --variant=minbase, trimmed as the slim image is.
build_debian_stand_in() {
  local image=$1 rootfs
  rootfs=$(mktemp -d "$DOCKER_WORK/rootfs.XXXXXX")
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$DOCKER_WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$DOCKER_WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  cat >"$rootfs/etc/apt/sources.list" <<'SOURCES'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
  # As the slim image: no documentation, manual pages or translations, now or when installing.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
SLIM
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
}

# The Swift build image: the stand-in Debian, the official image's packages, this machine's
# toolchain (the folder above $(dirname $(which swift))) and local Swift package copies.
build_swift_stand_in() {
  local image=$1 context toolchain
  toolchain=$(cd "$(dirname "$(readlink -f "$(command -v swift)")")/../.." && pwd)
  context=$(mktemp -d "$DOCKER_WORK/swift.XXXXXX")
  cp "$ROOT/docker/stand-ins/swift/Dockerfile" "$context/"
  # Hard links when the folders share a file system: the context costs no copy.
  cp -al "$toolchain" "$context/swift" 2>/dev/null || cp -a "$toolchain" "$context/swift"
  if [ -d /opt/swift-packages ]; then
    cp -al /opt/swift-packages "$context/swift-packages" 2>/dev/null || cp -a /opt/swift-packages "$context/swift-packages"
  else
    mkdir "$context/swift-packages"
  fi
  docker build -q -t "$image" "$context" >/dev/null || die "building the Swift stand-in failed"
  rm -rf "$context"
}

build_postgres_stand_in() {
  docker build -q -t "$1" "$ROOT/docker/stand-ins/postgres" >/dev/null || die "building the PostgreSQL stand-in failed"
}

build_redis_stand_in() {
  docker build -q -t "$1" "$ROOT/docker/stand-ins/redis" >/dev/null || die "building the Redis stand-in failed"
}

build_prometheus_stand_in() {
  docker build -q -t "$1" "$ROOT/docker/stand-ins/prometheus" >/dev/null || die "building the Prometheus stand-in failed"
}

ensure_base_images() {
  ensure_image "$DEBIAN_IMAGE" build_debian_stand_in
  ensure_image "$SWIFT_IMAGE" build_swift_stand_in
  ensure_image "$POSTGRES_IMAGE" build_postgres_stand_in
  ensure_image "$REDIS_IMAGE" build_redis_stand_in
  ensure_image "$PROMETHEUS_IMAGE" build_prometheus_stand_in
}
