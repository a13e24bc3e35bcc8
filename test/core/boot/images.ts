// Image manifests and machines for boot tests, named for their scenario.
import type { ImageManifest } from '../../../src/core/boot/manifest.js';
import type { BootMachine } from '../../../src/ports/boot-store.js';

const sha = (c: string) => c.repeat(64);

export function eveNetbootImage(over: Partial<ImageManifest> = {}): ImageManifest {
  return {
    schemaVersion: 1,
    id: '14.5.1-k-amd64',
    version: '14.5.1-k-amd64',
    arch: 'amd64',
    hv: 'k',
    platform: 'generic',
    source: { kind: 'installer-net', name: 'amd64.k.generic.installer-net.tar', verified: true },
    importedAt: '2026-11-01T10:00:00.000Z',
    boot: { mode: 'grub' },
    files: [
      { path: 'EFI/BOOT/BOOTX64.EFI', size: 10, sha256: sha('a') },
      { path: 'EFI/BOOT/grub.cfg', size: 10, sha256: sha('b') },
      { path: 'installer.iso', size: 100, sha256: sha('c') },
      { path: 'ipxe.efi.cfg', size: 10, sha256: sha('d') },
    ],
    ...over,
  };
}

export function eveArmImage(): ImageManifest {
  return eveNetbootImage({
    id: '14.5.1-k-arm64',
    version: '14.5.1-k-arm64',
    arch: 'arm64',
    files: [
      { path: 'EFI/BOOT/BOOTAA64.EFI', size: 10, sha256: sha('e') },
      { path: 'installer.iso', size: 100, sha256: sha('f') },
    ],
  });
}

/** installer.iso imported alone: no GRUB binary. */
export function isoOnlyImage(): ImageManifest {
  return eveNetbootImage({
    id: '14.4.0-k-amd64',
    version: '14.4.0-k-amd64',
    source: { kind: 'installer-iso', name: 'installer.iso', verified: false },
    files: [{ path: 'installer.iso', size: 100, sha256: sha('c') }],
  });
}

/** Debian kernel + busybox initrd standing in for the EVE installer (tests, demo, QEMU). */
export function standInImage(): ImageManifest {
  return {
    schemaVersion: 1,
    id: 'standin-1-amd64',
    version: 'standin-1',
    arch: 'amd64',
    source: { kind: 'directory', name: 'standin', verified: false },
    importedAt: '2026-11-02T10:00:00.000Z',
    boot: { mode: 'kernel', kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0,115200 panic=1' },
    files: [
      { path: 'initrd.img', size: 10, sha256: sha('1') },
      { path: 'vmlinuz', size: 10, sha256: sha('2') },
    ],
  };
}

export function uefiMachine(over: Partial<BootMachine> = {}): BootMachine {
  return {
    mac: '52:54:00:99:00:10',
    identity: {
      uuid: '8c9b5e7a-1f2d-4c3b-9a8e-0123456789ab',
      serial: 'SN-A',
      manufacturer: 'QEMU',
      product: 'Standard PC (Q35 + ICH9, 2009)',
      buildarch: 'x86_64',
      platform: 'efi',
      nics: [
        { name: 'net0', mac: '52:54:00:99:00:10', link: 'up' },
        { name: 'net1', mac: '52:54:00:99:01:10', link: 'down' },
      ],
    },
    firstSeen: 1000,
    lastSeen: 1000,
    reinstall: false,
    ...over,
  };
}

export function biosMachine(over: Partial<BootMachine> = {}): BootMachine {
  const m = uefiMachine(over);
  return { ...m, identity: { ...m.identity, buildarch: 'i386', platform: 'pcbios' } };
}
