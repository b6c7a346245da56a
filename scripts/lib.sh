# Shared helpers for scripts/stack.sh and scripts/test.sh. Source, don't run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The directory holding initdb/pg_ctl/postgres (Debian keeps them out of PATH).
pg_bindir() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return 0; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  command -v initdb >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v initdb)")" && return 0
  return 1
}

# warn_if_disk_is_short DIR MEGABYTES: says so when DIR has less free space than a run needs
# (a full disk otherwise shows up as PostgreSQL's "could not write init file" far away).
warn_if_disk_is_short() {
  local free_mb
  free_mb=$(df -Pm "$1" | awk 'NR == 2 { print $4 }')
  if [ "${free_mb:-0}" -lt "$2" ]; then
    log "WARNING: only ${free_mb} MB free under $1; this run writes about $2 MB and may fail for lack of space"
  fi
}

# Installs libpq-dev, libcurl4-openssl-dev and postgresql when missing (as root on Debian/Ubuntu);
# otherwise prints the exact command and stops.
ensure_dependencies() {
  local missing=()
  pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
  pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
  pg_bindir >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  install_packages "${missing[@]}"
}

# What `make test` needs besides: promtool (Debian's prometheus package) for the alert rules
# and the metrics lint, headless Chromium for the operator's dashboard.
ensure_test_tools() {
  local missing=()
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  install_packages "${missing[@]}"
}

# install_packages PACKAGE...: installs them as root with apt-get (the index updated once a
# run), or says how and stops.
install_packages() {
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $*"
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    die "missing packages; run: sudo apt-get install -y $*"
  fi
}

# Runs a command as the PostgreSQL server's user (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Whether the server's user can create files in a directory (a checkout under a private
# home, mode 700, cannot hold its data).
pg_can_write() {
  local dir=$1
  if [ "$(id -u)" -ne 0 ]; then return 0; fi
  runuser -u postgres -- test -w "$dir" 2>/dev/null
}

# free_port: a free TCP port on 127.0.0.1 for a server to listen on. It is taken from below the
# kernel's ephemeral range, so no outgoing connection can take it between this check and the
# server's bind (under a parallel test run, one did: "Address already in use"), and it is
# reserved for an hour under /tmp/ecommerce-ports, so two concurrent callers never get the same.
free_port() {
  python3 - <<'PY'
import os, random, socket, time

def reserve(port):
    """Claims the port for an hour (mkdir is atomic); False if someone holds a fresh claim."""
    path = f"{reservations}/{port}"
    try:
        if time.time() - os.stat(path).st_mtime < 3600:
            return False
        os.rmdir(path)
    except OSError:
        pass
    try:
        os.mkdir(path)
        return True
    except OSError:
        return False

def bindable(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False

low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
ranges = [r for r in [(10000, low - 1), (high + 1, 65535)] if r[1] - r[0] >= 1000]
reservations = "/tmp/ecommerce-ports"
os.makedirs(reservations, exist_ok=True)
try:
    os.chmod(reservations, 0o1777)  # every user's runs share it, like /tmp
except OSError:
    pass
candidates = (random.randint(*random.choice(ranges)) for _ in range(1000 if ranges else 0))
port = next((p for p in candidates if reserve(p) and bindable(p)), None)
if port is None:  # no room outside the ephemeral range: let the kernel choose
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
print(port)
PY
}

# Whether the process in a pid file is alive. `kill -0` alone is not enough: it succeeds on a
# zombie (a service killed with SIGKILL whose parent has not reaped it yet), and `make up`
# then took the dead service for a running one. A zombie's state (ps, /proc) is Z.
pid_alive() {
  local file=$1 pid state
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/stat" ]; then
    # The state is the field after the command name, which is in parentheses and may hold spaces.
    state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  else
    state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  fi
  case $state in Z*|X*|"") return 1 ;; esac
  return 0
}

# PG_DURABILITY=off (make test sets it) is for servers whose data is thrown away at the end
# of the run: initdb skips its final sync and the server never waits for the disk (fsync,
# synchronous_commit and full_page_writes off), so a slow disk cannot stall the tests. Data
# still survives a server crash or restart, only not a crash of the machine. Every other
# server (make up, the benchmarks) keeps PostgreSQL's defaults.
pg_durable() { [ "${PG_DURABILITY:-on}" != off ]; }

# init_cluster DATA_DIR: a new cluster owned by the server's user, local socket trusted.
init_cluster() {
  local data=$1 bin sync=()
  bin=$(pg_bindir)
  pg_durable || sync=(--no-sync)
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  chmod 700 "$data"
  as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C --auth-local=trust \
    --auth-host="${PG_HOST_AUTH:-scram-sha-256}" "${sync[@]}" >/dev/null
}

# make_tls_files DIR [SAN]: a certificate authority (DIR/ca.crt, DIR/ca.key) and a server
# certificate it signs for SAN (default DNS:localhost,IP:127.0.0.1) in DIR/server.crt and
# DIR/server.key, the key readable by the database servers' user only. Clients trust the
# server with sslmode=verify-full&sslrootcert=DIR/ca.crt.
make_tls_files() {
  local dir=$1 san=${2:-DNS:localhost,IP:127.0.0.1} ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  mkdir -p "$dir"
  chmod 755 "$dir"
  openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=ecommerce database CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req "${ec[@]}" -subj "/CN=ecommerce database" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
  chmod 600 "$dir/server.key" "$dir/ca.key"
  chmod 644 "$dir/server.crt" "$dir/ca.crt"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir/server.key"
  return 0
}

# start_cluster DATA_DIR PORT LOGFILE [MAX_CONNECTIONS]: starts a server listening on
# 127.0.0.1:PORT; with PG_TLS_DIR set (make_tls_files), it offers TLS with that certificate.
start_cluster() {
  local data=$1 port=$2 logfile=$3 connections=${4:-200} bin options
  bin=$(pg_bindir)
  options="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp -c max_connections=$connections"
  pg_durable || options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ -n "${PG_TLS_DIR:-}" ] && options+=" -c ssl=on -c ssl_cert_file=$PG_TLS_DIR/server.crt -c ssl_key_file=$PG_TLS_DIR/server.key"
  touch "$logfile"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$logfile"
  as_pg "$bin/pg_ctl" -D "$data" -l "$logfile" -w -t 60 -o "$options" start >/dev/null
}

stop_cluster() {
  local data=$1 bin
  bin=$(pg_bindir)
  [ -f "$data/postmaster.pid" ] || return 0
  as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# ensure_database PORT DB OWNER PASSWORD [RUNTIME RUNTIME_PASSWORD]: the owner role and its
# database, and the service's runtime role (its rights come from the service's start-up, see
# RuntimeGrants), each created when missing.
ensure_database() {
  local port=$1 db=$2 user=$3 password=$4 runtime=${5:-} runtime_password=${6:-}
  local psql=(psql -X -q -h /tmp -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
  ensure_role "$user" "$password"
  [ -n "$runtime" ] && ensure_role "$runtime" "$runtime_password"
  if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE \"$db\" OWNER \"$user\""
  fi
}

ensure_role() { # NAME PASSWORD, with psql as in ensure_database
  if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$1'")" ]; then
    "${psql[@]}" -c "CREATE ROLE \"$1\" LOGIN PASSWORD '$2'"
  fi
}

# start_scratch_server DIR: a throwaway server (local and host trust) in DIR/data on a free
# port, for tests and benchmarks; prints the port. Stop it with stop_cluster DIR/data.
start_scratch_server() {
  local dir=$1 port
  port=$(free_port)
  mkdir -p "$dir"
  chmod 755 "$dir"
  PG_HOST_AUTH=trust init_cluster "$dir/data"
  # The test suites run in parallel, each service of each test with a pool of its own.
  start_cluster "$dir/data" "$port" "$dir/postgres.log" 1000
  echo "$port"
}

# start_throwaway_stack WORK: a stack of its own under WORK (free ports, a bootstrap admin
# BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD, rate limits out of the way), for
# benchmarks and fuzzing; started now, stopped and removed when the script exits.
start_throwaway_stack() {
  THROWAWAY_WORK=$1
  export STACK_DIR=$1/stack
  # Reachable by the database servers' user, so their data stays under WORK and goes with it.
  chmod 755 "$1"
  export BOOTSTRAP_ADMIN_EMAIL=stack-admin@example.com BOOTSTRAP_ADMIN_PASSWORD=stack-admin-password
  export RATE_LIMIT_USER_PER_MINUTE=100000000 RATE_LIMIT_ANON_PER_MINUTE=100000000
  local name
  for name in GATEWAY_PORT USER_SERVICE_PORT PRODUCT_SERVICE_PORT ORDER_SERVICE_PORT \
              USER_DB_PORT PRODUCT_DB_PORT ORDER_DB_PORT GATEWAY_DB_PORT REDIS_PORT; do
    export "$name=$(free_port)"
  done
  trap 'bash "$ROOT/scripts/stack.sh" down >/dev/null 2>&1 || true; rm -rf "$THROWAWAY_WORK"' EXIT
  bash "$ROOT/scripts/stack.sh" up >&2
}

# start_release_stack: builds the release binaries, then starts a throwaway stack of them
# (start_throwaway_stack) under a new WORK directory; URL is its gateway.
start_release_stack() {
  log "building (release)"
  swift build -c release >&2
  WORK=$(mktemp -d /tmp/ecommerce-bench.XXXXXX)
  export BUILD_CONFIGURATION=release SKIP_BUILD=1
  start_throwaway_stack "$WORK"
  URL=http://127.0.0.1:$GATEWAY_PORT
}

# ensure_wrk: installs wrk (Debian's) when it is missing, as root.
ensure_wrk() {
  command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } || die "install wrk"
}

# post PATH JSON [TOKEN]: POSTs JSON to the throwaway stack's gateway ($URL), its answer on stdout.
post() {
  curl -fsS -X POST "$URL$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"
}
# field KEYS: one value of the JSON on stdin, `field "['token']['id_token']"`.
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# bench_workspace: sets WORK, a fresh directory for one benchmark run, removed on exit with
# what runs from it: every pid in BENCH_PIDS is killed and the scratch PostgreSQL server
# under WORK (start_scratch_server "$WORK") is stopped.
bench_workspace() {
  WORK=$(mktemp -d /tmp/ecommerce-bench.XXXXXX)
  BENCH_PIDS=()
  trap 'for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; stop_cluster "$WORK/data"; rm -rf "$WORK"' EXIT
}

cpu_ticks() { # PID...: the CPU time (user + system, in clock ticks) those processes have used so far
  local total=0 pid
  for pid in "$@"; do total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") )); done
  echo "$total"
}
thread_ticks() { # PID: CPU ticks so far per kind of thread (NIO event loops, Swift tasks, libpq's threads, others by name)
  local task
  for task in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(cat "$task/comm")" "$(awk '{print $14 + $15}' "$task/stat")"
  done | awk '{ kind = $1; if (kind ~ /^NIO-/) kind = "event-loops"; else if (kind ~ /qos/) kind = "swift-tasks";
                else if (kind ~ /^TP-/) kind = "libpq-threads"; ticks[kind] += $2 }
              END { for (kind in ticks) print kind, ticks[kind] }'
}
thread_cpu_per_request() { # BEFORE AFTER WRK_OUTPUT (thread_ticks outputs): "kind N µs, ..." per request
  python3 - "$1" "$2" "$(getconf CLK_TCK)" "$(awk '/requests in/ {print $1}' <<<"$3")" <<'PY'
import sys
before, after = ({k: int(v) for k, v in (line.split() for line in text.splitlines())} for text in sys.argv[1:3])
hz, requests = int(sys.argv[3]), int(sys.argv[4])
spent = {kind: (after[kind] - before.get(kind, 0)) / hz * 1e6 / requests for kind in after}
print(", ".join(f"{kind} {micros:.0f} µs" for kind, micros in sorted(spent.items(), key=lambda item: -item[1]) if micros >= 1))
PY
}
cpu_per_request() { # TICKS_BEFORE TICKS_AFTER WRK_OUTPUT: microseconds of CPU per request wrk sent
  python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]) * 1e6 / int(sys.argv[4]):.0f}')" \
    "$1" "$2" "$(getconf CLK_TCK)" "$(awk '/requests in/ {print $1}' <<<"$3")"
}

# profile_start PIDS FILE SECONDS: records the processes (pids, comma-separated) with perf into
# FILE for SECONDS, in the background. profile_report FILE then waits for it and prints where
# their time went on stderr: by library, by symbol, and by call subtree (children included).
profile_start() {
  perf record -F 499 -g -o "$2" -p "$1" -- sleep "$3" >/dev/null 2>&1 &
  PROFILE_PID=$!
}
profile_report() {
  wait "$PROFILE_PID" || true
  perf report -i "$1" --no-children --sort dso -g none --stdio 2>/dev/null | grep '%' | head -15 >&2 || true
  perf report -i "$1" --no-children --sort dso,symbol -g none --stdio 2>/dev/null | grep '%' | cut -c1-160 | head -50 >&2 || true
  perf report -i "$1" --children --sort symbol -g none --stdio 2>/dev/null | grep '%' | cut -c1-200 | head -80 >&2 || true
}
