// Stand-in boot media for the demo and tests: a kernel + initrd "installer" with an installer.iso laid out like
// EVE's (a top-level 5120 KiB config.img, which eveboot replaces with the site CONFIG when serving it and from
// which the stand-in installer takes CONFIG, as EVE's does), imported into <state>/images (the boot decision is
// install only when an installer image is imported), and first-stage iPXE binaries for the TFTP root. The bytes are deterministic pseudo-random (seeded xorshift), so sizes, hashes and ETags are stable
// between runs and the files do not compress away.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importImage } from '../adapters/image-import.js';
import { ImageStore } from '../adapters/image-store.js';
import type { ImageManifest } from '../core/boot/manifest.js';
import { CONFIG_IMG_SIZE } from '../core/iso/embedded-config.js';
import { buildIso, stockConfigImage } from './sim-iso.js';

/** Version of the stand-in image; with arch amd64 its id is the same string. */
export const DEMO_IMAGE_VERSION = 'demo-stand-in-amd64';

export interface DemoImageSizes {
  kernelBytes: number;
  initrdBytes: number;
}

const DEFAULT_SIZES: DemoImageSizes = { kernelBytes: 8 * 2 ** 20, initrdBytes: 24 * 2 ** 20 };

/** `size` deterministic pseudo-random bytes: xorshift32 seeded from sha256(seed). */
export function demoBytes(seed: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  for (let at = 0; at < size; at += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    if (at + 4 <= size) out.writeUInt32LE(x >>> 0, at);
    else for (let i = 0; at + i < size; i++) out[at + i] = (x >>> (8 * i)) & 0xff;
  }
  return out;
}

function writeOnce(path: string, seed: string, size: number): void {
  if (existsSync(path) && statSync(path).size === size) return;
  writeFileSync(path, demoBytes(seed, size));
}

/**
 * Creates <stateDir>/demo-media/installer (kernel, initrd, cmdline) once and imports it as image
 * `demo-stand-in-amd64` unless that image is already imported. Returns its manifest.
 */
export async function prepareDemoImage(
  stateDir: string,
  sizes: DemoImageSizes = DEFAULT_SIZES,
): Promise<ImageManifest> {
  const root = join(stateDir, 'images');
  const store = new ImageStore(root);
  const existing = store.get(DEMO_IMAGE_VERSION);
  if (existing) return existing;
  const dir = join(stateDir, 'demo-media', 'installer');
  mkdirSync(dir, { recursive: true });
  writeOnce(join(dir, 'kernel'), 'eveboot-demo-kernel', sizes.kernelBytes);
  writeOnce(join(dir, 'initrd'), 'eveboot-demo-initrd', sizes.initrdBytes);
  writeFileSync(join(dir, 'cmdline'), 'console=ttyS0 eveboot.standin=1\n');
  writeFileSync(join(dir, 'installer.iso'), demoInstallerIso());
  return importImage(root, dir, { version: DEMO_IMAGE_VERSION, arch: 'amd64', now: new Date() });
}

/** The fake release's installer.iso: EVE's top-level layout, stock CONFIG in /config.img. */
export function demoInstallerIso(): Uint8Array {
  const rootfs = demoBytes('eveboot-demo-rootfs_installer', 512 * 1024);
  return buildIso({
    names: 'rock-ridge',
    files: [
      { name: 'rootfs_installer.img', size: rootfs.length, data: rootfs },
      { name: 'config.img', size: CONFIG_IMG_SIZE, data: stockConfigImage() },
    ],
  });
}

/** Writes stand-in snponly.efi / undionly.kpxe / ipxe.efi (~170 KiB each) into `dir` for the TFTP root. */
export function prepareDemoIpxe(dir: string, size = 170 * 1024): string {
  mkdirSync(dir, { recursive: true });
  for (const name of ['snponly.efi', 'undionly.kpxe', 'ipxe.efi']) writeOnce(join(dir, name), `eveboot-${name}`, size);
  return dir;
}
