#!/usr/bin/env bash
# make bench: every benchmark script in bench/, one after another.
set -euo pipefail
cd "$(dirname "$0")"
for script in foundation.sh users.sh products.sh gateway.sh rate-limits.sh orders.sh streams.sh retention.sh; do
  echo "### $script"
  bash "$script"
done
