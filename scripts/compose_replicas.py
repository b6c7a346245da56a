"""make compose-test's replica checks: the stack scaled to 3 Order and 2 Product service
replicas, orders spread over them, a replica killed mid-burst whose sagas another finishes,
a product changed through one replica never served stale by the other, and a second
gateway sharing the rate limits through Redis (and counting alone while Redis is down)."""
import concurrent.futures
import json
import time
import uuid

from compose_stack import HTTP, CheckFailed, container_log, expect, run, wait_for

ORDER_REPLICAS = 3
PRODUCT_REPLICAS = 2
BURST = 48
CLIENTS = 16
ROUNDS = 5


def check_scaled(stack, state):
    stack.compose("up", "-d", "--no-build", "--scale", f"order-service={ORDER_REPLICAS}",
                  "--scale", f"product-service={PRODUCT_REPLICAS}")
    wait_for("every replica healthy", stack.every_container_healthy, timeout=180)
    orders, products = stack.containers("order-service"), stack.containers("product-service")
    expect(len(orders) == ORDER_REPLICAS and len(products) == PRODUCT_REPLICAS,
           f"replicas running: {orders} {products}")
    return f"order-service × {len(orders)}, product-service × {len(products)}, all healthy"


def check_killed_replica(stack, state):
    """Bursts of orders while one Order service replica is killed with SIGKILL, until a
    survivor has taken over a saga the dead one left (a kill can land while the victim has
    no saga under way, so there are up to ROUNDS rounds)."""
    for round_number in range(1, ROUNDS + 1):
        before = {p: stack.product(p, token=state["admin"])["stock"] for p in state["products"]}
        victim = stack.containers("order-service")[round_number % ORDER_REPLICAS]
        answers = _burst(stack, state, victim)
        wait_for("no order left pending", lambda: _pending(stack) == 0, timeout=60)
        confirmed = [a for a in answers if a[0] == 201]
        failed = [a for a in answers if a[0] != 201]
        expect(not failed, f"orders not confirmed: {failed[:3]}")
        for product, stock in before.items():
            taken = sum(item["quantity"] for _, order in confirmed for item in order["items"]
                        if item["product_id"] == product)
            now = stack.product(product, token=state["admin"])["stock"]
            expect(now == stock - taken, f"product {product}: stock {stock} - {taken} ordered, but {now} now")
        takeovers = sum(_log_lines(c, "taking over an unfinished order saga") for c in stack.containers("order-service")
                        if c != victim)
        spread = {c: _log_lines(c, "request", path="/api/v1/orders", method="POST")
                  for c in stack.containers("order-service")}
        served = [c for c, n in spread.items() if n > 0]
        expect(len(served) >= 2, f"orders did not spread over the replicas: {spread}")
        stack.compose("up", "-d", "--no-build", "--scale", f"order-service={ORDER_REPLICAS}",
                      "--scale", f"product-service={PRODUCT_REPLICAS}")
        wait_for("the killed replica back", stack.every_container_healthy, timeout=180)
        if takeovers:
            counts = ", ".join(f"{c.split('_')[-1]}: {n}" for c, n in sorted(spread.items()))
            return (f"round {round_number}: {len(confirmed)} orders confirmed while {victim} was killed, "
                    f"POST /orders per replica {{{counts}}}, {takeovers} saga(s) taken over by survivors, "
                    "stock exact, none pending")
    raise CheckFailed(f"{ROUNDS} rounds killed a replica, but no survivor ever took over a saga")


def _burst(stack, state, victim):
    """BURST orders from CLIENTS clients; victim is killed once a third have been sent."""
    items = [[(state["products"][i % 3], 1 + i % 2)] for i in range(BURST)]

    def place(index):
        if index == BURST // 3:
            run("docker", "kill", "-s", "KILL", victim)
        return stack.place_order(state["customer"], items[index], key=str(uuid.uuid4()))

    with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return [(status, order) for status, _, order in pool.map(place, range(BURST))]


def _pending(stack):
    return int(stack.psql("postgres-order", "SELECT count(*) FROM orders WHERE status = 'pending'"))


def _log_lines(container, message, **fields):
    """How many JSON log lines of a container have that message and those fields."""
    count = 0
    for line in container_log(container).splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("message") == message and all(str(entry.get(k)) == v for k, v in fields.items()):
            count += 1
    return count


def check_product_change_seen_by_every_replica(stack, state):
    product = state["products"][2]
    replicas = {c: HTTP(f"http://{stack.address(c)}:8082") for c in stack.containers("product-service")}
    for client in replicas.values():  # each replica's cache now holds the product
        for _ in range(2):
            status, _, body = client.call("GET", f"/api/v1/products/{product}")
            expect(status == 200, f"GET from a replica: {status} {body}")
    old = stack.product(product)["price"]
    new = f"{float(old) + 1.25:.2f}"
    status, _, body = stack.gateway.call("PATCH", f"/api/v1/products/{product}", {"price": new}, token=state["admin"])
    expect(status == 200 and body["price"] == new, f"PATCH price: {status} {body}")
    changed = time.monotonic()
    seen = {}
    for name, client in replicas.items():
        wait_for(f"{name} to serve the new price",
                 lambda: client.call("GET", f"/api/v1/products/{product}")[2]["price"] == new, timeout=5, interval=0.01)
        seen[name.split("_")[-1]] = f"{(time.monotonic() - changed) * 1000:.0f} ms"
    return f"price {old} → {new} through the gateway; each replica's cache served it after {seen}"


SHARED = "rate limits shared through Redis"
ALONE = "rate limit store unreachable"


def check_gateways_share_rate_limits(stack, state):
    status, _, key = stack.gateway.call("POST", "/api/v1/api-keys", {
        "name": "compose-test", "permissions": ["products:read"], "rate_limit": 10}, token=state["admin"])
    expect(status == 201, f"creating an API key: {status} {key}")
    headers = {"X-API-Key": key["key"]}
    second = "api-gateway-2"
    stack.compose("run", "-d", "--no-deps", "--name", second, "api-gateway")
    try:
        wait_for(f"{second} sharing its limits", lambda: SHARED in container_log(second), timeout=60)
        gateways = [stack.gateway, HTTP(f"http://{stack.address(second)}:8080")]
        statuses = [gateways[i % 2].call("GET", "/api/v1/products?limit=1", headers=headers)[0] for i in range(30)]
        expect(statuses[:10] == [200] * 10 and set(statuses[10:]) == {429},
               f"two gateways, a key limited to 10 a minute: {statuses}")

        run("docker", "stop", "-t", "1", "redis")
        alone = [gateways[i % 2].call("GET", "/api/v1/products?limit=1")[0] for i in range(6)]
        expect(all(s < 500 for s in alone), f"with Redis stopped the gateways answered {alone}")
        wait_for("both gateways saying they count alone",
                 lambda: all(ALONE in container_log(g) for g in ("api-gateway", second)), timeout=20)
        run("docker", "start", "redis")

        def shared_again():
            for gateway in gateways:
                gateway.call("GET", "/api/v1/products?limit=1")
            return all(container_log(g).count(SHARED) >= 2 for g in ("api-gateway", second))
        wait_for("both gateways sharing again once Redis is back", shared_again, timeout=60)
    except CheckFailed as failure:
        raise CheckFailed(f"{failure}; {second} logged: {container_log(second, tail=20)}") from failure
    finally:
        run("docker", "rm", "-f", second, check=False)
    return (f"api-gateway and {second}, a key limited to 10/min: {statuses.count(200)} allowed between them, "
            f"then 429; Redis stopped: answers {sorted(set(alone))} and a log line each; Redis back: shared again")


CHECKS = [check_scaled, check_killed_replica, check_product_change_seen_by_every_replica,
          check_gateways_share_rate_limits]
