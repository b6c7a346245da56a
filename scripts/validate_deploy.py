"""Checks the deployment files: docker-compose.yml against the Compose Specification's JSON
schema plus the stack's own rules, deploy/k8s against the Kubernetes API schemas (strict),
and the Dockerfile's stages. Run through scripts/validate-deploy.sh, which provides the tools.

usage: validate_deploy.py compose FILE | k8s DIR | dockerfile FILE | all ROOT
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema
import yaml

SCHEMA = os.path.join(os.path.dirname(sys.executable), "..", "compose_spec.json")
DATABASES = {  # container: (host port variable and default, database, user, password, init script)
    "postgres-product": ("POSTGRES_PRODUCT_PORT:-5433", "product_database", "product_user", "product_pass", "product-service-init.sql"),
    "postgres-order": ("POSTGRES_ORDER_PORT:-5434", "order_database", "order_user", "order_pass", "order-service-init.sql"),
    "postgres-gateway": ("POSTGRES_GATEWAY_PORT:-5435", "gateway_database", "gateway_user", "gateway_pass", "gateway-init.sql"),
    "postgres-user": ("POSTGRES_USER_PORT:-5436", "user_database", "user_user", "user_pass", "user-service-init.sql"),
}
SERVICES = {"user-service": "8081", "product-service": "8082", "order-service": "8083", "api-gateway": "8080"}
SCALABLE = ("product-service", "order-service")  # no container name, no host port: replicas
K8S_NAMES = {"api-gateway": "gateway"}  # Deployment names where they differ from compose's


def fail(message):
    print(f"invalid: {message}", file=sys.stderr)
    sys.exit(1)


def check_compose(path):
    with open(path) as file:
        compose = yaml.safe_load(file)
    with open(SCHEMA) as file:
        schema = json.load(file)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    if errors:
        fail(f"{path}: " + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]))
    services = compose.get("services", {})
    root = os.path.dirname(os.path.abspath(path))
    for name, (port, database, user, password, init) in DATABASES.items():
        service = services.get(name) or fail(f"{path}: no service {name}")
        if service.get("container_name") != name:
            fail(f"{path}: {name} must have container_name {name}")
        env = service.get("environment", {})
        if (env.get("POSTGRES_DB"), env.get("POSTGRES_USER"), env.get("POSTGRES_PASSWORD")) != (database, user, password):
            fail(f"{path}: {name} must create {database} for {user}/{password}")
        if f"${{{port}}}:5432" not in service.get("ports", []):
            fail(f"{path}: {name} must publish ${{{port}}}:5432")
        if "pg_isready" not in " ".join(service.get("healthcheck", {}).get("test", [])):
            fail(f"{path}: {name} needs a pg_isready health check")
        mounts = [v for v in service.get("volumes", []) if isinstance(v, str) and "docker-entrypoint-initdb.d" in v]
        if not any(f"database/{init}" in m for m in mounts):
            fail(f"{path}: {name} must mount database/{init}")
        if not os.path.exists(os.path.join(root, "database", init)):
            fail(f"{path}: database/{init} does not exist")
    for name, port in SERVICES.items():
        service = services.get(name) or fail(f"{path}: no service {name}")
        if "/health" not in " ".join(service.get("healthcheck", {}).get("test", [])):
            fail(f"{path}: {name} needs a health check on its health endpoint")
        depends = service.get("depends_on", {})
        if not isinstance(depends, dict) or any(d.get("condition") != "service_healthy" for d in depends.values()):
            fail(f"{path}: {name} must wait for its dependencies to be healthy")
        if service.get("environment", {}).get("PORT") != port:
            fail(f"{path}: {name} must listen on {port}")
        if name in SCALABLE and ("container_name" in service or "ports" in service):
            fail(f"{path}: {name} must scale: no container_name, no published port")
    if services["api-gateway"].get("container_name") != "api-gateway":
        fail(f"{path}: the gateway's container is api-gateway, as the design document names it")
    print(f"{path}: valid (Compose Specification schema and the stack's rules)")


def check_k8s(directory):
    files = sorted(glob.glob(os.path.join(directory, "*.yaml")))
    if not files:
        fail(f"{directory}: no manifests")
    tool = os.path.join(os.path.dirname(sys.executable), "kubernetes-validate")
    result = subprocess.run([tool, "--strict", "--quiet", *files], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{directory}: {result.stdout}{result.stderr}")
    kinds = {}
    for path in files:
        with open(path) as file:
            for document in yaml.safe_load_all(file):
                if document:
                    kinds.setdefault(document["kind"], {})[document["metadata"]["name"]] = document
    for name in SERVICES:
        name = K8S_NAMES.get(name, name)
        deployment = kinds.get("Deployment", {}).get(name) or fail(f"{directory}: no Deployment {name}")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
            if container.get(probe, {}).get("httpGet", {}).get("path") != path:
                fail(f"{directory}: {name} needs a {probe} on {path}")
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        ports = {str(port["containerPort"]) for port in container.get("ports", [])}
        if annotations.get("prometheus.io/scrape") != "true" or annotations.get("prometheus.io/port") not in ports \
                or annotations.get("prometheus.io/path") != "/metrics":
            fail(f"{directory}: {name} needs prometheus.io/scrape, port (its container port) and path (/metrics) annotations")
        if name not in kinds.get("Service", {}) or name not in kinds.get("HorizontalPodAutoscaler", {}):
            fail(f"{directory}: {name} needs a Service and a HorizontalPodAutoscaler")
    if "ecommerce-config" not in kinds.get("ConfigMap", {}) or "ecommerce-secrets" not in kinds.get("Secret", {}):
        fail(f"{directory}: needs the ConfigMap ecommerce-config and the Secret ecommerce-secrets")
    print(f"{directory}: valid (Kubernetes schemas, strict; probes, scrape annotations, services, autoscalers)")


def check_dockerfile(path):
    with open(path) as file:
        text = file.read()
    for needle, why in (
        ("AS build", "a build stage"), ("AS test", "a test stage"), ("AS runtime", "a runtime stage"),
        ("RUN make test", "the test stage running make test, as CI does"), ("libpq5", "libpq5 in the runtime image"),
        ("libcurl4 ", "libcurl4 in the runtime image"), ("swift build -c release", "a release build"),
    ):
        if needle not in text:
            fail(f"{path}: missing {why}")
    print(f"{path}: valid (stages build, test, runtime)")


def main(arguments):
    if len(arguments) != 2:
        fail(__doc__)
    command, target = arguments
    if command == "compose":
        check_compose(target)
    elif command == "k8s":
        check_k8s(target)
    elif command == "dockerfile":
        check_dockerfile(target)
    elif command == "all":
        check_compose(os.path.join(target, "docker-compose.yml"))
        check_k8s(os.path.join(target, "deploy", "k8s"))
        check_dockerfile(os.path.join(target, "Dockerfile"))
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
