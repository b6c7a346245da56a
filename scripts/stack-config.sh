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

# part  port  database  owner (migrations, operations)  password  runtime role (the service)  password
DATABASES=(
  "user-db $USER_DB_PORT user_database user_user user_pass user_app user_app_pass"
  "product-db $PRODUCT_DB_PORT product_database product_user product_pass product_app product_app_pass"
  "order-db $ORDER_DB_PORT order_database order_user order_pass order_app order_app_pass"
  "gateway-db $GATEWAY_DB_PORT gateway_database gateway_user gateway_pass gateway_app gateway_app_pass"
)

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
service_port() {
  case $1 in
    user-service) echo "$USER_SERVICE_PORT" ;;
    product-service) echo "$PRODUCT_SERVICE_PORT" ;;
    order-service) echo "$ORDER_SERVICE_PORT" ;;
    gateway) echo "$GATEWAY_PORT" ;;
  esac
}
