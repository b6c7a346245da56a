"""Holds event streams open through the gateway and times events (bench/streams.sh runs it).

Opens IDLE streams, half on GET /api/v1/products/{id}/events (a product nothing changes) and
half on GET /api/v1/orders/events as a customer who orders nothing, and WATCHERS streams on
GET /api/v1/orders/events as the customer who orders and cancels, reads every stream as it
arrives (HTTP/1.1 chunked, Server-Sent Events), and prints JSON: how long opening took, the
resident memory and threads of the gateway and the Order and Product services before and after, and for
ROUNDS orders placed and then cancelled by that customer, the time from sending the
cancellation to each watcher's `order.cancelled`, next to the cancellation's own response
time (the reference: what one poll of the order would cost at best).
"""
import asyncio
import http.client
import json
import resource
import sys
import time

HOST = "127.0.0.1"


def status(pid, field):
    """A number from /proc/PID/status: `VmRSS` (KiB), `Threads`."""
    with open(f"/proc/{pid}/status") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Stream:
    """One event stream; `on_message(kind)` for each event."""

    def __init__(self, port, path, token, on_message):
        self.port, self.path, self.token, self.on_message = port, path, token, on_message

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=1 << 20)
        auth = f"Authorization: Bearer {self.token}\r\n" if self.token else ""
        self.writer.write(f"GET {self.path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n{auth}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            raise RuntimeError(f"{self.path}: {status}")
        self.buffer = b""

    async def read(self):
        try:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    return
                self.buffer += (await self.reader.readexactly(size + 2))[:-2]
                while b"\n\n" in self.buffer:
                    message, self.buffer = self.buffer.split(b"\n\n", 1)
                    for line in message.split(b"\n"):
                        if line.startswith(b"event: "):
                            self.on_message(line[7:].decode(), time.monotonic())
        except (asyncio.IncompleteReadError, ConnectionError):
            return


def request(port, method, path, token, body=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data)


async def main():
    port, token, idle_product, ordered_product = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    idle, watchers, rounds = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
    pids = dict(part.split("=") for part in sys.argv[8].split(","))
    idle_token = sys.argv[9]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    before = {name: status(pid, "VmRSS") for name, pid in pids.items()}
    threads_before = {name: status(pid, "Threads") for name, pid in pids.items()}
    cancelled = []  # arrival times of order.cancelled in the current round
    ready = []

    def on_watcher_message(kind, at):
        if kind == "ready":
            ready.append(at)
        elif kind == "order.cancelled":
            cancelled.append(at)

    ignore = lambda kind, at: None
    streams = [Stream(port, f"/api/v1/products/{idle_product}/events", None, ignore) for _ in range(idle // 2)]
    streams += [Stream(port, "/api/v1/orders/events", idle_token, ignore) for _ in range(idle - idle // 2)]
    streams += [Stream(port, "/api/v1/orders/events", token, on_watcher_message) for _ in range(watchers)]
    start = time.monotonic()
    for first in range(0, len(streams), 200):  # 200 at a time: the listen backlog stays short
        await asyncio.gather(*(stream.open() for stream in streams[first:first + 200]))
    opened = time.monotonic() - start
    readers = [asyncio.create_task(stream.read()) for stream in streams]
    while len(ready) < watchers:
        await asyncio.sleep(0.05)
    await asyncio.sleep(3)  # let memory settle
    after = {name: status(pid, "VmRSS") for name, pid in pids.items()}
    threads_after = {name: status(pid, "Threads") for name, pid in pids.items()}

    latencies, responses = [], []
    for _ in range(rounds):
        order = await asyncio.to_thread(request, port, "POST", "/api/v1/orders", token, {
            "items": [{"product_id": ordered_product, "quantity": 1}], "payment_method": "card",
            "payment_token": "tok_visa", "shipping_method": "standard"})
        await asyncio.sleep(0.2)  # the placement's own events pass first
        cancelled.clear()
        sent = time.monotonic()
        await asyncio.to_thread(request, port, "POST", f"/api/v1/orders/{order['id']}/cancel", token)
        responses.append(time.monotonic() - sent)
        deadline = time.monotonic() + 10
        while len(cancelled) < watchers and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        if len(cancelled) < watchers:
            raise RuntimeError(f"only {len(cancelled)} of {watchers} watchers got the cancellation")
        latencies += [at - sent for at in cancelled]
    still_open = sum(1 for reader in readers if not reader.done())
    for reader in readers:
        reader.cancel()

    def percentile(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * p))] * 1000

    print(json.dumps({
        "streams": len(streams), "still_open": still_open, "open_seconds": round(opened, 2),
        "rss_before_kib": before, "rss_after_kib": after, "threads_before": threads_before, "threads_after": threads_after,
        "event_ms": {"p50": round(percentile(latencies, 0.5), 1), "p99": round(percentile(latencies, 0.99), 1), "samples": len(latencies)},
        "cancel_response_ms": {"p50": round(percentile(responses, 0.5), 1), "p99": round(percentile(responses, 0.99), 1)},
    }))


asyncio.run(main())
