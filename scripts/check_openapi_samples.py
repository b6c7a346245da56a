"""Validates recorded responses against the services' OpenAPI documents.

usage: check_openapi_samples.py DOCS_DIR SAMPLES.json
A sample: {"service": "order-service", "method": "POST", "path": "/api/v1/orders", "status": 201, "body": {...} | null}
"""
import json
import os
import sys

import jsonschema


def main(docs, samples_path):
    with open(samples_path) as file:
        samples = json.load(file)
    documents = {}
    problems = []
    for sample in samples:
        service = sample["service"]
        if service not in documents:
            with open(os.path.join(docs, f"{service}.json")) as file:
                documents[service] = json.load(file)
        document = documents[service]
        where = f'{service} {sample["method"]} {sample["path"]} → {sample["status"]}'
        operation = document["paths"].get(sample["path"], {}).get(sample["method"].lower())
        if operation is None:
            problems.append(f"{where}: no such documented operation")
            continue
        response = operation["responses"].get(str(sample["status"]))
        if response is None:
            problems.append(f"{where}: status not documented (documented: {', '.join(operation['responses'])})")
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None or sample.get("body") is None:
            continue
        root = dict(schema, components=document["components"])
        errors = list(jsonschema.Draft202012Validator(root).iter_errors(sample["body"]))
        for error in errors[:3]:
            problems.append(f"{where}: body {'/'.join(map(str, error.path)) or '(root)'}: {error.message[:200]}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(samples)} responses checked, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
