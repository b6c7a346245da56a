"""The checks make compose-test runs against a docker-compose stack it has started: the
stack used through the gateway's published port, the README's Docker commands for real,
restarts, and replicas. Run by scripts/compose-test.sh; prints one line per check and
exits non-zero at the first that fails.

usage: compose_checks.py --gateway URL --project NAME --compose-file FILE --work DIR
"""
import argparse
import json
import os
import sys
import time
import uuid

from compose_replicas import CHECKS as REPLICA_CHECKS
from compose_stack import DATABASES, ROOT, CheckFailed, Stack, container_log, expect, run, say, wait_for

# The checks, in order.

def check_started(stack, state):
    wait_for("GET /health 200 through the gateway", stack.healthy, timeout=300)
    wait_for("every container running and healthy", stack.every_container_healthy, timeout=120)
    uid = run("docker", "exec", "api-gateway", "id", "-u").strip()
    expect(uid != "0", "the services run as root")
    return f"/health 200, every container healthy, services run as uid {uid}"


def check_orders(stack, state):
    email = f"customer-{uuid.uuid4().hex[:10]}@example.com"
    status, _, body = stack.gateway.call("POST", "/api/v1/auth/register", {
        "email": email, "password": "customer-pass-1", "first_name": "Compose", "last_name": "Test"})
    expect(status == 201, f"register: {status} {body}")
    state["customer"] = stack.login(email, "customer-pass-1")
    state["admin"] = stack.login(os.environ["BOOTSTRAP_ADMIN_EMAIL"], os.environ["BOOTSTRAP_ADMIN_PASSWORD"])

    with open(os.path.join(ROOT, "database", "seed", "catalog.sql")) as catalog:
        run("docker", "exec", "-i", "postgres-product", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-v", "count=200", "-v", "draft_every=40", "-U", "product_user", "-d", "product_database",
            stdin=catalog.read())
    status, _, page = stack.gateway.call("GET", "/api/v1/products?limit=100&sort=-price")
    expect(status == 200 and page["page"]["total"] > 0, f"the demo catalog is not listed: {status} {page}")
    products = [p for p in page["data"] if p["stock"] >= 50]
    expect(len(products) >= 3, "the demo catalog has no products with stock to order")
    state["products"] = [p["id"] for p in products[:3]]
    first = products[0]["id"]
    stock = products[0]["stock"]

    key = str(uuid.uuid4())
    status, headers, order = stack.place_order(state["customer"], [(first, 2)], key=key)
    expect(status == 201 and order["status"] == "confirmed", f"order: {status} {order}")
    expect(stack.product(first)["stock"] == stock - 2, "the order did not take its stock")
    status, replay_headers, replay = stack.place_order(state["customer"], [(first, 2)], key=key)
    expect(status == 201 and replay["id"] == order["id"] and replay_headers.get("Idempotent-Replayed") == "true",
           f"replay with the same Idempotency-Key: {status} {replay_headers.get('Idempotent-Replayed')} {replay}")
    status, _, cancelled = stack.gateway.call("POST", f"/api/v1/orders/{order['id']}/cancel", token=state["customer"])
    expect(status == 200 and cancelled["status"] == "cancelled", f"cancel: {status} {cancelled}")
    expect(stack.product(first)["stock"] == stock, "the cancel did not give the stock back")

    request_id = headers["X-Request-ID"]
    logs = wait_for("the order's row in api_logs", lambda: _logged(stack, state["admin"], request_id), timeout=20)
    state["order"] = order["id"]
    return (f"registered, logged in, demo catalog loaded ({page['page']['total']} products listed), order "
            f"{order['id']} placed, replayed (Idempotent-Replayed: true), cancelled, stock back; "
            f"api-logs: {logs[0]['method']} {logs[0]['path']} {logs[0]['status_code']}")


def _logged(stack, admin, request_id):
    status, _, page = stack.gateway.call("GET", f"/api/v1/admin/api-logs?request_id={request_id}", token=admin)
    expect(status == 200, f"api-logs: {status} {page}")
    return page["data"]


QUERY_ORDERS_AND_MIGRATIONS = ("SELECT (SELECT count(*) FROM orders), (SELECT sum(total_amount) FROM orders), "
                               "(SELECT max(version) FROM schema_migrations)")


def check_operations(stack, state):
    """The README's "with Docker" column, as written there."""
    ready = run("docker", "exec", "postgres-order", "pg_isready", "-U", "order_user", "-d", "order_database")
    expect("accepting connections" in ready, f"pg_isready: {ready}")
    orders = int(stack.psql("postgres-order", "SELECT count(*) FROM orders"))
    expect(orders >= 1, "no orders counted")

    dump = run("docker", "exec", "postgres-order", "pg_dump", "-U", "order_user", "order_database")
    with open(os.path.join(stack.work, "backup_order.sql"), "w") as file:
        file.write(dump)
    before = stack.psql("postgres-order", QUERY_ORDERS_AND_MIGRATIONS)
    stack.psql("postgres-order", "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO order_user;")
    run("docker", "exec", "-i", "postgres-order", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-U", "order_user", "-d", "order_database", stdin=dump)
    after = stack.psql("postgres-order", QUERY_ORDERS_AND_MIGRATIONS)
    expect(before == after, f"the restore differs: {before} before, {after} after")
    status, _, order = stack.gateway.call("GET", f"/api/v1/orders/{state['order']}", token=state["customer"])
    expect(status == 200 and order["status"] == "cancelled", f"the restored order through the gateway: {status} {order}")

    # The design document's slow-query commands, as the postgres superuser, and docker logs.
    stack.psql("postgres-product", "ALTER DATABASE product_database SET log_min_duration_statement = 0", user="postgres")
    stack.psql("postgres-product", "SELECT count(*) FROM products WHERE category_id = 1")
    logged = wait_for("a duration line in docker logs postgres-product",
                      lambda: "duration" in container_log("postgres-product"), timeout=10)
    stack.psql("postgres-product", "ALTER DATABASE product_database RESET log_min_duration_statement", user="postgres")
    run("docker", "exec", "api-gateway", "ping", "-c", "1", "-W", "5", "postgres-product")
    lines = [json.loads(line) for line in container_log("api-gateway", tail=50).splitlines()
             if line.startswith("{")]
    expect(any(line.get("message") == "request" for line in lines), "docker logs api-gateway shows no request lines")
    return (f"pg_isready, counts ({orders} orders), pg_dump ({len(dump) // 1024} KiB) restored into an emptied "
            f"schema with the same rows {after!r}, slow-query log in docker logs: {bool(logged)}, "
            f"ping postgres-product from api-gateway, JSON request lines in docker logs")


def check_production_databases(stack, state):
    """Runtime roles with DML only, WAL archived, and a base backup taken in the container."""
    for container, (database, owner) in DATABASES.items():
        service = container.removeprefix("postgres-")
        runtime = f"{service}_app"
        users = set(stack.psql(container, "SELECT usename FROM pg_stat_activity WHERE application_name LIKE '%-service' "
                                          "OR application_name = 'gateway'", user="postgres").split())
        expect(users == {runtime}, f"{container}: the service connects as {users or 'nobody'}, not as {runtime} alone")
        denied = run("docker", "exec", "-e", f"PGPASSWORD={runtime}_pass", container, "bash", "-c",
                     f"psql -X -tA -h 127.0.0.1 -U {runtime} -d {database} -c 'TRUNCATE schema_migrations' 2>&1 || true")
        expect("permission denied" in denied, f"{container}: {runtime} TRUNCATE schema_migrations said: {denied}")
        stack.psql(container, "SELECT pg_walfile_name(pg_switch_wal())", user="postgres")
        archived = wait_for(f"{container} archiving its WAL", lambda: _archived(stack, container), timeout=30)
    wal = "/var/lib/postgresql/archive/wal"
    segments = run("docker", "exec", "postgres-order", "ls", wal).split()
    expect(any(name.endswith(".gz") for name in segments), f"no archived segment in {wal}: {segments}")
    base = "/var/lib/postgresql/archive/base/compose-test"
    run("docker", "exec", "-u", "postgres", "postgres-order", "pg_basebackup", "-U", "postgres", "-D", base,
        "-Ft", "-z", "-X", "stream", "-c", "fast")
    files = run("docker", "exec", "postgres-order", "ls", base).split()
    expect("base.tar.gz" in files and "pg_wal.tar.gz" in files, f"the base backup has {files}")
    return (f"each service connects as its runtime role, which may not TRUNCATE; each database archives its WAL "
            f"({archived} segments archived on the last); pg_basebackup in postgres-order: {', '.join(files)}")


def _archived(stack, container):
    counts = stack.psql(container, "SELECT archived_count, failed_count FROM pg_stat_archiver", user="postgres").split("|")
    expect(counts[1] == "0", f"{container}: archive_command failed {counts[1]} times (docker logs {container})")
    return int(counts[0]) if int(counts[0]) > 0 else None


def check_restarts(stack, state):
    product_service = stack.containers("product-service")[0]
    run("docker", "restart", product_service)
    run("docker", "restart", "postgres-order")
    wait_for("GET /health 200 after the restarts", stack.healthy, timeout=120)
    status, _, order = stack.place_order(state["customer"], [(state["products"][1], 1)])
    expect(status == 201 and order["status"] == "confirmed", f"an order after the restarts: {status} {order}")
    return f"restarted {product_service} and postgres-order: /health 200 again, order {order['id']} confirmed"


CHECKS = [check_started, check_orders, check_operations, check_production_databases, check_restarts]


def main():
    parser = argparse.ArgumentParser()
    for option in ("--gateway", "--project", "--compose-file", "--work"):
        parser.add_argument(option, required=True)
    stack = Stack(parser.parse_args())
    state = {}
    for check in CHECKS + REPLICA_CHECKS:
        started = time.monotonic()
        name = check.__name__.removeprefix("check_").replace("_", " ")
        try:
            detail = check(stack, state)
        except CheckFailed as error:
            say(f"check {name}: FAILED after {time.monotonic() - started:.1f} s: {error}")
            sys.exit(1)
        say(f"check {name}: ok in {time.monotonic() - started:.1f} s: {detail}")


if __name__ == "__main__":
    main()
