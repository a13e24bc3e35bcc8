#!/usr/bin/env bash
# Quick start, first command: installs eveboot's dependencies when they are missing (scripts/install.sh) and runs
# the demo site: the appliance on loopback high ports and three simulated EVE nodes, until Ctrl-C. No root needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install.sh
npx tsc -p tsconfig.json
exec node dist/main.js demo "$@"
