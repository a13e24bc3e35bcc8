#!/usr/bin/env bash
# Builds the optional native addon (native/: DHCP interface binding, the TFTP data pump) at install time
# (`npm ci` runs it through `prepare`). It never fails the install: without a compiler or Node's headers
# eveboot still runs, with a warning, its DHCP server unbound to the interface and TFTP on node:dgram.
cd "$(dirname "$0")/.." || exit 0
nodedir=${npm_config_nodedir:-$(bash scripts/node-headers.sh)}
if node-gyp rebuild -C native ${nodedir:+--nodedir="$nodedir"} >native-build.log 2>&1; then
  rm -f native-build.log
else
  echo "eveboot: native addon not built (see native-build.log); DHCP interface binding and the TFTP data pump are off until 'npm run build:native' succeeds" >&2
fi
exit 0
