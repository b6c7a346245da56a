"""make compose-test's monitoring check: Prometheus of the compose profile "monitoring"
finds every replica of the four services through Docker's DNS, scrapes each, and has loaded
the alert rules. Usage: compose_prometheus.py PROMETHEUS_URL COMPOSE_PROJECT"""
import json
import sys
import time
import urllib.request

from compose_stack import CheckFailed, expect, run, say

JOBS = ("gateway", "user-service", "product-service", "order-service")
SERVICES = {"gateway": "api-gateway"}


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)["data"]


def replicas(project, job):
    service = SERVICES.get(job, job)
    return len(run("docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={project}",
                   "--filter", f"label=com.docker.compose.service={service}").split())


def main(prometheus, project):
    wanted = {job: replicas(project, job) for job in JOBS}
    expect(all(count >= 1 for count in wanted.values()), f"running replicas: {wanted}")
    deadline = time.monotonic() + 120
    while True:
        try:
            targets = get(f"{prometheus}/api/v1/targets?state=active")["activeTargets"]
        except OSError:
            targets = []
        up = {job: sum(1 for t in targets if t["labels"]["job"] == job and t["health"] == "up") for job in JOBS}
        if up == wanted:
            break
        if time.monotonic() > deadline:
            raise CheckFailed(f"Prometheus scrapes {up}; the replicas running are {wanted}")
        time.sleep(1)
    rules = [rule["name"] for group in get(f"{prometheus}/api/v1/rules")["groups"] for rule in group["rules"]]
    expect("OrderSagaStuck" in rules and len(rules) == 8, f"rules loaded: {rules}")
    pools = get(f"{prometheus}/api/v1/query?query=db_pool_connections_max")["result"]
    expect(len(pools) >= sum(wanted.values()), f"db_pool_connections_max from {len(pools)} processes")
    say(f"monitoring: Prometheus scrapes every replica {wanted} and has the {len(rules)} alert rules")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except CheckFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        sys.exit(1)
