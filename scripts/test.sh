#!/usr/bin/env bash
# The project's one test command (README quick start, .ci/run): installs what the tests need where it can,
# checks generated code, types and lint, runs every test, and says plainly which tests were skipped and why.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(swtpm swtpm-tools tpm2-tools openssl xxd iproute2 curl tftp-hpa atftp tftpd-hpa udhcpc
  isc-dhcp-client busybox dnsmasq-base nftables chromium mtools gdisk fdisk dosfstools postgresql
  qemu-system-x86 ipxe-qemu ipxe ovmf grub-efi-amd64-bin xorriso skopeo qemu-utils)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing system packages for the tests: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "== not root (or no apt-get): system packages are not installed; tests that need them will be skipped"
fi

[ -d node_modules ] || bash scripts/install.sh

echo "== building the native addon (SO_BINDTODEVICE for DHCP)"
npm run --silent build:native >test-native.log 2>&1 && rm -f test-native.log ||
  echo "   not built (see test-native.log): the DHCP server will answer on every interface; its binding test will fail"

echo "== regenerating protobuf code (must match the committed src/gen)"
npx buf generate
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- src/gen; then
  git --no-pager diff --stat -- src/gen
  echo "FAIL: src/gen differs from what proto/ generates: run 'npm run gen' and commit" >&2
  exit 1
fi

echo "== typecheck and lint"
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.test.json # tests, scripts and benches too: a stale import must not wait for its test to run
npx biome check .

echo "== tests"
rm -rf test-output && mkdir -p test-output
status=0

# EVE's own controller client as a test peer (test/eve-peer, docs/architecture/eve-code-peer.md): built inside
# EVE's pillar module at the pinned commit, offline (pillar's vendor/), CGO_ENABLED=0, Go build cache kept.
echo "== building the EVE-code test peer"
peer_rc=0
bash scripts/eve-peer-build.sh >/dev/null 2>test-output/eve-peer-build.log || peer_rc=$?
cat test-output/eve-peer-build.log
if [ $peer_rc -ne 0 ]; then
  rm -f test/eve-peer/bin/eve-peer # its suite is then skipped by name, never run against a stale binary
  if [ $peer_rc -ne 3 ]; then
    echo "FAIL: the EVE-code peer does not build (see above)" >&2
    status=1
  fi
fi
npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json || status=$?

if [ "${CI:-}" = true ] && git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$(git status --porcelain -- test/)" ]; then
  # Goldens are written only under UPDATE_GOLDEN=1; a run that changed or added files under test/ failed.
  git --no-pager diff --stat -- test/; git status --short -- test/
  echo "FAIL: the tests changed files under test/ (goldens are written only with UPDATE_GOLDEN=1)"
  status=1
fi
# Failed files, skipped suites (a failure under CI=true unless allowlisted) and, last, the closing line CI
# reads: "tests: N passed, N failed, N skipped".
node scripts/test-summary.mjs test-output/vitest.json test-output/skipped.txt test/skip-allowlist.txt || status=1
exit $status
