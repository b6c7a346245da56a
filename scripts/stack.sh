#!/usr/bin/env bash
# make up / make down: the whole stack on this machine, no Docker.
#   four PostgreSQL servers (user documents, product, order, gateway) from the machine's own
#   binaries, data under $STACK_DIR, a Redis server for the gateways' shared rate limits
#   (rate-limit-store, in memory only), and the four services; pid files in $STACK_DIR/run,
#   logs in $STACK_DIR/logs. `up` starts only what is not running.
#   DB_TLS=1: the database servers accept TCP connections with TLS only (a CA of the stack's
#   own, made once), and the services verify them (sslmode=verify-full).
#   Every database server archives its WAL (gzip) for point-in-time recovery (make backup,
#   make restore AT=…); ARCHIVE_TIMEOUT (60 s) bounds how old the newest archived change is.
#   stack.sh start|stop PART...: just those parts (ops.sh uses it around a restore).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

source "$ROOT/scripts/stack-config.sh"

db_tls() { [ "${DB_TLS:-0}" = 1 ]; }

# db_url runtime|owner NAME: the URL of NAME's database for its runtime role (the service's
# DATABASE_URL) or its owner (MIGRATION_DATABASE_URL).
db_url() {
  local role=$1 tls=""
  stack_entry "$2" || die "db_url: no service or database named $2"
  db_tls && tls="?sslmode=verify-full&sslrootcert=$TLS_DIR/ca.crt"
  case $role in
    owner) echo "postgres://$S_OWNER:$S_OWNER_PASSWORD@127.0.0.1:$S_DB_PORT/$S_DATABASE$tls" ;;
    *) echo "postgres://$S_RUNTIME:$S_RUNTIME_PASSWORD@127.0.0.1:$S_DB_PORT/$S_DATABASE$tls" ;;
  esac
}

# With DB_TLS=1 a connection over TCP without TLS is refused (the first pg_hba.conf line);
# without it that line goes, so a stack started both ways keeps working.
set_tls_only() { # data
  local hba=$1/pg_hba.conf line="hostnossl all all all reject  # DB_TLS=1"
  sed -i '/# DB_TLS=1$/d' "$hba"
  db_tls && sed -i "1i $line" "$hba"
  return 0
}

# The archiving settings (the lines ending "# archiving"), written again at every start:
# each finished WAL segment is gzipped into WAL_DIR, written under a temporary name first so
# a half-copied segment is never taken for a whole one.
set_archiving() { # data wal-dir
  local conf=$1/postgresql.conf wal=$2
  as_pg mkdir -p "$wal"
  sed -i '/# archiving$/d' "$conf"
  cat >>"$conf" <<CONF
wal_level = replica  # archiving
archive_mode = on  # archiving
archive_timeout = ${ARCHIVE_TIMEOUT:-60}  # archiving
archive_command = 'test ! -f "$wal/%f.gz" && gzip -c "%p" > "$wal/%f.gz.part" && mv "$wal/%f.gz.part" "$wal/%f.gz"'  # archiving
CONF
}

# wanted PART: whether this run handles PART (every part, unless ONLY names some).
wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

start_databases() {
  mkdir -p "$STACK_DIR/db"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$STACK_DIR/db" 2>/dev/null || true
  local entry part port db user password runtime runtime_password data logfile
  # The stack's CA and the servers' certificate (make_tls_files), beside the data where the
  # servers' user reads them; start_services gives the services this CA.
  TLS_DIR="$(dirname "$(data_dir user-db)")/tls"
  if db_tls && [ ! -s "$TLS_DIR/ca.crt" ]; then
    log "making the databases' CA and certificate in $TLS_DIR"
    make_tls_files "$TLS_DIR"
  fi
  for part in "${DB_PARTS[@]}"; do
    stack_entry "$part"
    port=$S_DB_PORT db=$S_DATABASE user=$S_OWNER password=$S_OWNER_PASSWORD runtime=$S_RUNTIME runtime_password=$S_RUNTIME_PASSWORD
    wanted "$part" || continue
    if pid_alive "$RUN_DIR/$part.pid"; then
      log "$part already running (port $port)"
      continue
    fi
    data=$(data_dir "$part")
    if [ ! -s "$data/PG_VERSION" ]; then
      log "initialising $part in $data"
      mkdir -p "$(dirname "$data")"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$(dirname "$data")"
      init_cluster "$data"
    fi
    logfile=$LOG_DIR/$part.log
    if ! pg_can_write "$LOG_DIR"; then
      # The server's user cannot write under $STACK_DIR: log beside the data and link it here.
      ln -sf "$data.log" "$logfile"
      logfile=$data.log
    fi
    set_tls_only "$data"
    set_archiving "$data" "$(pitr_dir "$part")/wal"
    log "starting $part on port $port$(db_tls && echo ", TLS only")"
    PG_TLS_DIR=$(db_tls && echo "$TLS_DIR") start_cluster "$data" "$port" "$logfile" || die "$part did not start; see $LOG_DIR/$part.log"
    head -n 1 "$data/postmaster.pid" >"$RUN_DIR/$part.pid"
    ensure_database "$port" "$db" "$user" "$password" "$runtime" "$runtime_password"
  done
}

# The gateways' shared rate limits: counters only, kept in memory (nothing to save, and a
# restart only forgets how many requests each client has made this minute).
start_rate_limit_store() {
  if pid_alive "$RUN_DIR/rate-limit-store.pid"; then
    log "rate-limit-store already running (port $REDIS_PORT)"
    return
  fi
  log "starting rate-limit-store (Redis) on port $REDIS_PORT"
  nohup redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STACK_DIR" --loglevel notice >>"$LOG_DIR/rate-limit-store.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/rate-limit-store.pid"
}

# MONITORING=1: Prometheus (Debian's package) on PROMETHEUS_PORT (9090), scraping the four
# services on this stack's ports every 5 s, with deploy/prometheus/alerts.yml; its data under
# $STACK_DIR/prometheus. The configuration is written anew each time, so the ports follow
# the environment.
start_monitoring() {
  [ "${MONITORING:-0}" = 1 ] || return 0
  command -v prometheus >/dev/null 2>&1 || install_packages prometheus
  local dir=$STACK_DIR/prometheus part
  mkdir -p "$dir/data"
  cp "$ROOT/deploy/prometheus/alerts.yml" "$dir/alerts.yml"
  {
    echo "# Written by make up MONITORING=1 for this stack's ports; the Docker one is deploy/prometheus/prometheus.yml."
    echo "global: {scrape_interval: 5s, evaluation_interval: 5s}"
    echo "rule_files: [alerts.yml]"
    echo "scrape_configs:"
    for part in "${SERVICES[@]}"; do
      echo "  - job_name: $part"
      echo "    static_configs: [{targets: ['127.0.0.1:$(service_port "$part")']}]"
    done
  } >"$dir/prometheus.yml"
  if pid_alive "$RUN_DIR/prometheus.pid"; then
    kill -HUP "$(cat "$RUN_DIR/prometheus.pid")"
    log "prometheus already running (port $PROMETHEUS_PORT); configuration reloaded"
    return
  fi
  log "starting prometheus on port $PROMETHEUS_PORT"
  nohup prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --storage.tsdb.retention.time=7d \
    >>"$LOG_DIR/prometheus.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/prometheus.pid"
}

internal_token() {
  local file=$STACK_DIR/secrets/internal_token
  if [ ! -s "$file" ]; then
    mkdir -p "$STACK_DIR/secrets"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
  fi
  cat "$file"
}

start_services() {
  local bin token part
  bin=${BIN_DIR:-$(swift build -c "$BUILD_CONFIGURATION" --show-bin-path)}
  token=$(internal_token)
  local common=(
    "USER_SERVICE_URL=http://127.0.0.1:$USER_SERVICE_PORT"
    "PRODUCT_SERVICE_URL=http://127.0.0.1:$PRODUCT_SERVICE_PORT"
    "ORDER_SERVICE_URL=http://127.0.0.1:$ORDER_SERVICE_PORT"
    "INTERNAL_TOKEN=$token"
    "STACK_DIR=$STACK_DIR"
    "DOCUMENT_INDEXES_FILE=$ROOT/database/document-indexes.json"
  )
  for part in "${SERVICES[@]}"; do
    wanted "$part" || continue
    if pid_alive "$RUN_DIR/$part.pid"; then
      log "$part already running"
      continue
    fi
    local port own=()
    stack_entry "$part"
    port=$S_PORT
    [ "$part" = gateway ] && own=("RATE_LIMIT_REDIS_URL=${RATE_LIMIT_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}")
    log "starting $part on port $port"
    env "${common[@]}" "${own[@]}" PORT="$port" DATABASE_URL="$(db_url runtime "$part")" \
      MIGRATION_DATABASE_URL="$(db_url owner "$part")" MIGRATIONS_DIR="$ROOT/database/migrations/$S_NAME" \
      nohup "$bin/$part" >>"$LOG_DIR/$part.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/$part.pid"
  done
}

wait_for_gateway() {
  local url=http://127.0.0.1:$GATEWAY_PORT/health deadline=$((SECONDS + ${STACK_START_TIMEOUT:-120}))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    for part in "${SERVICES[@]}"; do
      pid_alive "$RUN_DIR/$part.pid" || { tail -n 20 "$LOG_DIR/$part.log" >&2; die "$part exited; log: $LOG_DIR/$part.log"; }
    done
    [ $SECONDS -lt $deadline ] || die "the stack did not become healthy; GET $url says: $(curl -s "$url")"
    sleep 0.5
  done
}

up() {
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  chmod 755 "$STACK_DIR" "$LOG_DIR"
  ensure_dependencies
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building ($BUILD_CONFIGURATION)"
    swift build -c "$BUILD_CONFIGURATION" >&2
  fi
  start_databases
  start_rate_limit_store
  start_services
  wait_for_gateway
  start_monitoring
  log "stack is healthy"
  [ "${MONITORING:-0}" = 1 ] && log "prometheus: http://127.0.0.1:$PROMETHEUS_PORT"
  echo "http://127.0.0.1:$GATEWAY_PORT"
}

# stop_process PART: SIGTERM to what $RUN_DIR/PART.pid names, SIGKILL after 10 s.
stop_process() {
  local part=$1 pid
  if pid_alive "$RUN_DIR/$part.pid"; then
    pid=$(cat "$RUN_DIR/$part.pid")
    log "stopping $part ($pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$part ignored SIGTERM; killing"
      kill -KILL "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$RUN_DIR/$part.pid"
}

down() {
  local part entry
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    wanted "${SERVICES[$i]}" && stop_process "${SERVICES[$i]}"
  done
  wanted prometheus && stop_process prometheus
  wanted rate-limit-store && stop_process rate-limit-store
  for part in "${DB_PARTS[@]}"; do
    wanted "$part" || continue
    if pid_alive "$RUN_DIR/$part.pid"; then
      log "stopping $part"
      stop_cluster "$(data_dir "$part")"
    fi
    rm -f "$RUN_DIR/$part.pid"
  done
}

# start PART...: those parts of a stack made before (no build, no waiting for the gateway;
# a service is waited for until its own /health answers).
start_parts() {
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  start_databases
  start_services
  local part port deadline
  for part in "${SERVICES[@]}"; do
    wanted "$part" || continue
    port=$(service_port "$part")
    deadline=$((SECONDS + ${STACK_START_TIMEOUT:-120}))
    until curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null; do
      pid_alive "$RUN_DIR/$part.pid" || { tail -n 20 "$LOG_DIR/$part.log" >&2; die "$part exited; log: $LOG_DIR/$part.log"; }
      [ $SECONDS -lt $deadline ] || die "$part did not become ready on port $port"
      sleep 0.3
    done
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  start) shift; ONLY="$*"; start_parts ;;
  stop) shift; ONLY="$*"; down ;;
  *) die "usage: $0 up|down|start PART...|stop PART..." ;;
esac
