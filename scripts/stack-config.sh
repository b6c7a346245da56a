# The local stack's layout and ports (environment overrides), shared by stack.sh and ops.sh.
# shellcheck shell=bash
STACK_DIR=${STACK_DIR:-.stack}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
RUN_DIR=$STACK_DIR/run
LOG_DIR=$STACK_DIR/logs

GATEWAY_PORT=${GATEWAY_PORT:-8080}
USER_SERVICE_PORT=${USER_SERVICE_PORT:-8081}
PRODUCT_SERVICE_PORT=${PRODUCT_SERVICE_PORT:-8082}
ORDER_SERVICE_PORT=${ORDER_SERVICE_PORT:-8083}
PRODUCT_DB_PORT=${PRODUCT_DB_PORT:-5433}
ORDER_DB_PORT=${ORDER_DB_PORT:-5434}
GATEWAY_DB_PORT=${GATEWAY_DB_PORT:-5435}
USER_DB_PORT=${USER_DB_PORT:-5436}
# The store the gateways share their rate limits through (Redis).
REDIS_PORT=${REDIS_PORT:-6379}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
BUILD_CONFIGURATION=${BUILD_CONFIGURATION:-debug}

# Each service of the stack, described once: its name for `DB=` and make's commands, its part
# (pid and log files), port, database part, database port and name, the owner role that
# applies the migrations and runs the operations, the runtime role the service connects as,
# and the database's init script under database/.
# short  service  port  db-part  db-port  database  owner  password  runtime  password  init-script
STACK_SERVICES=(
  "user user-service $USER_SERVICE_PORT user-db $USER_DB_PORT user_database user_user user_pass user_app user_app_pass user-service-init.sql"
  "product product-service $PRODUCT_SERVICE_PORT product-db $PRODUCT_DB_PORT product_database product_user product_pass product_app product_app_pass product-service-init.sql"
  "order order-service $ORDER_SERVICE_PORT order-db $ORDER_DB_PORT order_database order_user order_pass order_app order_app_pass order-service-init.sql"
  "gateway gateway $GATEWAY_PORT gateway-db $GATEWAY_DB_PORT gateway_database gateway_user gateway_pass gateway_app gateway_app_pass gateway-init.sql"
)

# stack_entry NAME: sets the S_* fields of the service NAME names (its short name, service
# part or database part); fails for a name of none.
stack_entry() {
  local entry
  for entry in "${STACK_SERVICES[@]}"; do
    read -r S_NAME S_SERVICE S_PORT S_DB_PART S_DB_PORT S_DATABASE S_OWNER S_OWNER_PASSWORD S_RUNTIME S_RUNTIME_PASSWORD \
      S_INIT_SCRIPT <<<"$entry"
    [ "$1" = "$S_NAME" ] || [ "$1" = "$S_SERVICE" ] || [ "$1" = "$S_DB_PART" ] && return 0
  done
  return 1
}

# The services in start order, and their databases.
SERVICES=()
DB_PARTS=()
for entry in "${STACK_SERVICES[@]}"; do
  read -r _ service _ db_part _ <<<"$entry"
  SERVICES+=("$service")
  DB_PARTS+=("$db_part")
done
unset entry service db_part

# Where a database's files live: under $STACK_DIR, unless the server's user cannot reach it.
data_dir() {
  local part=$1
  if pg_can_write "$STACK_DIR/db"; then
    echo "$STACK_DIR/db/$part"
  else
    echo "/tmp/ecommerce-stack-$(printf '%s' "$STACK_DIR" | md5sum | cut -c1-12)/$part"
  fi
}

# A database's point-in-time recovery files beside its data: wal/ (the archived WAL) and
# base/<time>/ (base backups).
pitr_dir() { echo "$(dirname "$(data_dir "$1")")/pitr/$1"; }

# service_port PART: where a service of the stack listens.
service_port() { stack_entry "$1" && echo "$S_PORT"; }
