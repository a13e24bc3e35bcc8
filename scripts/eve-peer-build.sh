#!/usr/bin/env bash
# Builds the EVE-code test peer (test/eve-peer) inside EVE's own pillar module at the pinned commit
# (test/eve-peer/EVE_COMMIT), against pillar's vendor/ tree: offline, CGO_ENABLED=0, exactly the dependency
# versions EVE compiles. Our .go files are laid into pillar's tree with `go build -overlay`; pillar's source
# is never changed. Why not `require github.com/lf-edge/eve/pkg/pillar` from the Go module proxy: see
# docs/architecture/eve-code-peer.md.
# Exit 0: built (prints the binary path last). Exit 3: the EVE source is not available (the suite skips).
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(tr -d ' \n' <test/eve-peer/EVE_COMMIT)
cache=${EVE_SRC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eveboot/eve-$commit}
pillar=$cache/pkg/pillar
out=$PWD/test/eve-peer/bin/eve-peer

if ! command -v go >/dev/null 2>&1; then
  echo "eve-peer: no Go toolchain on PATH" >&2
  exit 3
fi
if [ ! -f "$pillar/vendor/modules.txt" ]; then
  # EVE_GIT: a clone of lf-edge/eve that has the pinned commit (a path or anything git can read).
  if [ -z "${EVE_GIT:-}" ]; then
    echo "eve-peer: EVE's pillar source for $commit is not in $cache; set EVE_GIT to a clone of lf-edge/eve" >&2
    exit 3
  fi
  rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
  git -C "$EVE_GIT" archive "$commit" pkg/pillar | tar -x -C "$cache.tmp"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi

overlay=$(mktemp)
trap 'rm -f "$overlay"' EXIT
{
  printf '{"Replace":{'
  sep=''
  for f in test/eve-peer/*.go; do
    printf '%s"%s/cmd/evebootpeer/%s":"%s/%s"' "$sep" "$pillar" "$(basename "$f")" "$PWD" "$f"
    sep=','
  done
  printf '}}\n'
} >"$overlay"

mkdir -p "$(dirname "$out")"
t0=$(date +%s)
(cd "$pillar" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=vendor \
  go build -trimpath -overlay "$overlay" -o "$out" ./cmd/evebootpeer)
echo "eve-peer: built against EVE ${commit:0:12} in $(($(date +%s) - t0)) s" >&2
echo "$out"
