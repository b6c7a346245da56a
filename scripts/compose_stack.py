"""Helpers for make compose-test's checks (compose_checks.py, compose_replicas.py): commands,
waiting, a JSON HTTP client, and the stack under test (its compose project, containers and
databases)."""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASES = {  # container: (database, user)
    "postgres-user": ("user_database", "user_user"),
    "postgres-product": ("product_database", "product_user"),
    "postgres-order": ("order_database", "order_user"),
    "postgres-gateway": ("gateway_database", "gateway_user"),
}


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def say(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(*command, stdin=None, check=True):
    """Runs a command (docker, docker-compose), returning its standard output."""
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise CheckFailed(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()[-600:]}")
    return result.stdout


def container_log(container, tail=None):
    """What docker logs shows of a container, its standard output and error together."""
    command = ["docker", "logs", *(["--tail", str(tail)] if tail else []), container]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckFailed(f"docker logs {container}: {result.stderr.strip()}")
    return result.stdout + result.stderr


def wait_for(what, probe, timeout=180, interval=1.0):
    """Calls probe until it returns something truthy; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except (OSError, CheckFailed, ValueError) as error:
            last = error
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout} s waiting for {what}" + (f" (last: {last})" if last else ""))


class HTTP:
    """A JSON client for one base URL."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, token=None, headers=None, timeout=30):
        request = urllib.request.Request(self.base + path, method=method)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, data=data, timeout=timeout) as response:
                return response.status, dict(response.headers), _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), _json(error.read())


def _json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


class Stack:
    def __init__(self, options):
        self.gateway = HTTP(options.gateway)
        self.project = options.project
        self.compose_file = options.compose_file
        self.work = options.work
        self.internal_token = os.environ["INTERNAL_TOKEN"]

    def compose(self, *arguments):
        return run("docker-compose", "-p", self.project, "-f", self.compose_file, *arguments)

    def containers(self, service):
        """Container names of one compose service (all its replicas), running or not."""
        ids = self.compose("ps", "-q", service).split()
        names = run("docker", "inspect", "-f", "{{.Name}}", *ids).split() if ids else []
        return sorted(name.lstrip("/") for name in names)

    def address(self, container):
        return run("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
                   container).split()[0]

    def psql(self, container, sql, user=None):
        database, owner = DATABASES[container]
        return run("docker", "exec", container, "psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1",
                   "-U", user or owner, "-d", database, "-c", sql).strip()

    def healthy(self):
        status, _, body = self.gateway.call("GET", "/health", timeout=5)
        return status == 200 and body

    def every_container_healthy(self):
        ids = self.compose("ps", "-q").split()
        states = run("docker", "inspect", "-f", "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
                     *ids).split("\n")
        waiting = [line for line in states if line and not line.endswith(" running healthy")]
        return not waiting

    def login(self, email, password):
        status, _, body = self.gateway.call("POST", "/api/v1/auth/login", {"email": email, "password": password})
        expect(status == 200, f"login as {email}: {status} {body}")
        return body["token"]["id_token"]

    def product(self, product_id, token=None):
        status, _, body = self.gateway.call("GET", f"/api/v1/products/{product_id}", token=token)
        expect(status == 200, f"GET product {product_id}: {status} {body}")
        return body

    def place_order(self, token, items, key=None, retry_unknown=True):
        """Places an order; an answer that leaves the outcome unknown (503 from the gateway,
        409 request_in_progress, no answer) is asked again with the same key, as the contract says."""
        key = key or str(uuid.uuid4())
        body = {"items": [{"product_id": p, "quantity": q} for p, q in items], "payment_method": "card",
                "payment_token": "tok_visa", "shipping_method": "standard"}
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, answer = self.gateway.call("POST", "/api/v1/orders", body, token=token,
                                                            headers={"Idempotency-Key": key})
            except OSError:
                status, headers, answer = None, {}, None
            unknown = status in (None, 503) or (status == 409 and _code(answer) == "request_in_progress")
            if not (retry_unknown and unknown) or time.monotonic() > deadline:
                return status, headers, answer
            time.sleep(0.5)


def _code(body):
    return body.get("error", {}).get("code") if isinstance(body, dict) else None
