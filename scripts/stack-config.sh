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
BUILD_CONFIGURATION=${BUILD_CONFIGURATION:-debug}

# part  port  database  user  password
DATABASES=(
  "user-db $USER_DB_PORT user_database user_user user_pass"
  "product-db $PRODUCT_DB_PORT product_database product_user product_pass"
  "order-db $ORDER_DB_PORT order_database order_user order_pass"
  "gateway-db $GATEWAY_DB_PORT gateway_database gateway_user gateway_pass"
)
