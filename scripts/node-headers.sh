#!/usr/bin/env bash
# Prints the directory that holds Node's C headers (DIR/include/node/node_api.h) for node-gyp's --nodedir,
# or nothing when none is installed next to this Node. Looked up from the running Node, never hard-coded:
# Debian/NodeSource put them under /usr, a tarball or nvm install under its own prefix.
node_bin=$(command -v node) || exit 0
prefix=$(node -p 'require("path").resolve(process.execPath, "..", "..")' 2>/dev/null)
want=$(node -p 'process.versions.node' 2>/dev/null)
for dir in "$prefix" "$(dirname "$(dirname "$(readlink -f "$node_bin")")")" /usr /usr/local; do
  h="$dir/include/node/node_version.h"
  [ -f "$h" ] && [ -f "$dir/include/node/node_api.h" ] || continue
  have=$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/ {v = v (v ? "." : "") $3} END {print v}' "$h")
  if [ "$have" = "$want" ]; then echo "$dir"; exit 0; fi
done
exit 0
