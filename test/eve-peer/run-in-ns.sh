#!/bin/sh
# Runs the EVE-code peer with this device's CONFIG at /config and its own /persist, as EVE expects them, without
# touching the host's /: call it under `unshare -m --propagation private`. A tmpfs over DEVICE_DIR/root becomes
# a private root holding only the peer binary, /dev, /proc, and bind mounts of DEVICE_DIR/config and
# DEVICE_DIR/persist; everything goes away with the mount namespace.
# Usage: unshare -m --propagation private sh run-in-ns.sh DEVICE_DIR PEER_BINARY [peer flags…]
set -eu
dev=$1
bin=$2
shift 2
root=$dev/root
mkdir -p "$root" "$dev/persist"
mount -t tmpfs -o mode=0755 eve-peer-root "$root"
mkdir -p "$root/config" "$root/persist" "$root/dev" "$root/proc" "$root/tmp" "$root/run" "$root/bin"
mount --bind "$dev/config" "$root/config"
mount --bind "$dev/persist" "$root/persist"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
touch "$root/bin/eve-peer"
mount --bind "$bin" "$root/bin/eve-peer"
exec chroot "$root" /bin/eve-peer "$@"
