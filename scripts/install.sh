#!/usr/bin/env bash
# Installs eveboot's npm dependencies (`npm ci`) and builds the native modules against this Node's own headers.
# better-sqlite3 and our addon compile with node-gyp; with no network to fetch headers from, node-gyp must be
# pointed at the ones installed beside Node. scripts/node-headers.sh finds them; nothing here hard-codes a path.
set -euo pipefail
cd "$(dirname "$0")/.."
nodedir=$(bash scripts/node-headers.sh)
if [ -n "$nodedir" ]; then
  export npm_config_nodedir="$nodedir"
else
  echo "eveboot: no Node headers found beside $(command -v node) (install your distribution's Node dev package," \
    "e.g. libnode-dev); node-gyp will try to download them" >&2
fi
npm ci --no-audit --no-fund
