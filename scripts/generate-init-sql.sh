#!/usr/bin/env bash
# Rewrites database/*-init.sql from the migrations (run after changing a migration).
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_INIT_SQL=1 bash scripts/test.sh --filter InitScriptTests
