"""Every target declares the modules it imports (make test runs this before building).

Reads `swift package dump-package` on standard input and each target's sources; prints each
import a target does not declare (a module reached only through another target's
dependencies builds today and breaks when that other target changes) and exits 1 if any.
"""
import json
import pathlib
import re
import sys

SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Testing", "XCTest", "Synchronization",
          "Dispatch", "Glibc", "_Concurrency"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:(?:struct|enum|class|func|protocol)\s+)?(\w+)")

package = json.load(sys.stdin)
root = pathlib.Path(__file__).resolve().parent.parent
problems = []
for target in package["targets"]:
    declared = {target["name"]}
    for dependency in target["dependencies"]:
        for kind in ("byName", "product", "target"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    for source in sorted((root / target["path"]).rglob("*.swift")):
        for line in source.read_text(encoding="utf-8").splitlines():
            match = IMPORT.match(line)
            if match and match.group(1) not in declared | SYSTEM:
                problems.append(f"{source.relative_to(root)}: imports {match.group(1)}, which target {target['name']} does not declare")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
