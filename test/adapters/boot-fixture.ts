// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is iPXE settings syntax, not a JS template
// A small fake EVE release netboot bundle with the real layout (eve-api-facts §6.2), written as a plain ustar
// archive, and a boot API built on it for inject() tests. Real bundles are GBs and not downloadable here.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { type BootRoutes, buildBootApi } from '../../src/adapters/http/boot-api.js';
import { onboardedBySerial } from '../../src/adapters/http/boot-machine-routes.js';
import { IpMacTable } from '../../src/adapters/http/boot-progress.js';
import { bootSiteFrom, buildConfigImage } from '../../src/adapters/http/boot-site.js';
import { importImage } from '../../src/adapters/image-import.js';
import { ImageStore } from '../../src/adapters/image-store.js';
import { createLogger } from '../../src/adapters/logger.js';
import { SqliteBootStore } from '../../src/adapters/sqlite-boot-store.js';
import type { OnboardBinding } from '../../src/core/eve/onboard-admission.js';
import { CONFIG_IMG_SIZE } from '../../src/core/iso/embedded-config.js';
import type { ApplianceEvent } from '../../src/ports/events.js';
import { buildIso } from '../../src/sim/sim-iso.js';

export const MAC_A = '52:54:00:99:00:10';
export const CONTROLLER = '10.99.0.1:8443';

/** Deterministic pseudo-random bytes (an LCG), so Range slices are distinguishable. */
export function patternBytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function tarHeader(name: string, size: number): Uint8Array {
  const b = new Uint8Array(512);
  const put = (off: number, s: string) => b.set(new TextEncoder().encode(s), off);
  put(0, name);
  put(100, '0000644\0');
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  put(136, '00000000000\0');
  b[156] = 0x30;
  put(257, 'ustar\u000000');
  put(148, '        ');
  put(
    148,
    `${b
      .reduce((n, x) => n + x, 0)
      .toString(8)
      .padStart(6, '0')}\0 `,
  );
  return b;
}

export function makeTar(files: { path: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(tarHeader(f.path, f.data.length), f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(parts));
}

export const STOCK_GRUB_CFG = 'loopback loop0 ($cmddevice)/installer.iso\nset root=loop0\n';

/** A small ISO 9660 laid out like EVE's installer.iso (Rock Ridge names): an installer rootfs, then a stock
 *  5120 KiB config.img (pattern bytes standing in for EVE's FAT image), then a trailing file. */
export function fakeIso(rootfsBytes = 3 * 1024 * 1024 + 77): Uint8Array {
  return buildIso({
    names: 'rock-ridge',
    files: [
      { name: 'rootfs_installer.img', size: rootfsBytes, data: patternBytes(rootfsBytes, 3) },
      { name: 'config.img', size: CONFIG_IMG_SIZE, data: patternBytes(CONFIG_IMG_SIZE, 5) },
      { name: 'eve_version', size: 15, data: new TextEncoder().encode('14.5.1-k-amd64\n') },
    ],
  });
}

/** Where fakeIso keeps config.img: after the descriptors, the root directory and the rootfs (whole sectors). */
export const fakeIsoConfigOffset = (rootfsBytes = 3 * 1024 * 1024 + 77) => (24 + Math.ceil(rootfsBytes / 2048)) * 2048;

/** fakeIso with one install's CONFIG in place of its config.img: what the machine being installed must receive. */
export function patchedFakeIso(mac = MAC_A): Uint8Array {
  const iso = fakeIso().slice();
  iso.set(installConfigImage(mac), fakeIsoConfigOffset());
  return iso;
}

/** The fixture's per-install onboarding credential: a fake cert that names the MAC, so tests can see whose it is. */
export const fakeCredential = (mac: string) => ({
  certPem: `${PEMS.onboardCertPem}# ${mac}`,
  keyPem: PEMS.onboardKeyPem,
});

/** The CONFIG the report route builds for an install decision of `mac` (deterministic bytes). */
export const installConfigImage = (mac = MAC_A) => configImageWith(fakeCredential(mac));

const configImageWith = (c: { certPem: string; keyPem: string }) =>
  buildConfigImage({
    controller: CONTROLLER,
    boot: BOOT_OPTIONS,
    rootCaPem: PEMS.rootCaPem,
    onboardCertPem: c.certPem,
    onboardKeyPem: c.keyPem,
  });

export function fakeBundleFiles(rootfsBytes?: number) {
  return [
    { path: './ipxe.efi', data: patternBytes(4000, 2) },
    { path: './ipxe.efi.cfg', data: new TextEncoder().encode('#!ipxe\nchain ${url}EFI/BOOT/BOOTX64.EFI\n') },
    { path: './installer.iso', data: fakeIso(rootfsBytes) },
    { path: './EFI/BOOT/BOOTX64.EFI', data: patternBytes(9000, 4) },
    { path: './EFI/BOOT/grub.cfg', data: new TextEncoder().encode(STOCK_GRUB_CFG) },
  ];
}

export function writeFakeBundle(dir: string, name = 'amd64.k.generic.installer-net.tar'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, makeTar(fakeBundleFiles()));
  return path;
}

export const PEMS = {
  rootCaPem: '-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n',
  onboardCertPem: '-----BEGIN CERTIFICATE-----\nONBOARD\n-----END CERTIFICATE-----\n',
  onboardKeyPem: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n',
};

export const BOOT_OPTIONS = {
  localBoot: 'exit' as const,
  unknownMachines: 'ignore' as const,
  installDisk: 'sda',
  persistDisks: ['sdb'],
  rebootAfterInstall: true,
  extraArgs: [],
};

export type BootEvent = ApplianceEvent;

/** Imports the fake bundle into a fresh state dir and builds the boot API (nothing listens). */
export async function bootApiOnFakeBundle(
  opts: { httpServer?: string; bundle?: (dir: string) => string; routes?: BootRoutes[] } = {},
) {
  const state = mkdtempSync(join(tmpdir(), 'eveboot-boot-'));
  const bundle = (opts.bundle ?? writeFakeBundle)(join(state, 'in'));
  const manifest = await importImage(join(state, 'images'), bundle, {
    version: '14.5.1-k-amd64',
    now: new Date('2026-11-01T10:00:00Z'),
  });
  const db = new Database(':memory:');
  const bootStore = new SqliteBootStore(db);
  const events: BootEvent[] = [];
  const logLines: string[] = [];
  let now = 1_000_000;
  const clock = { now: () => now };
  const devices: { serial: string; softSerial?: string }[] = [];
  const ipMacs = new IpMacTable();
  const issued: OnboardBinding[] = [];
  const leases = new Map<string, string>();
  const app = buildBootApi({
    bootStore,
    images: new ImageStore(join(state, 'images')),
    httpServer: opts.httpServer ?? '10.99.0.1:8080',
    controller: CONTROLLER,
    site: () =>
      bootSiteFrom({
        nodes: [
          { serial: 'SN-A', name: 'node-a' },
          { mac: '52:54:00:99:00:11', name: 'node-b' },
        ],
        boot: BOOT_OPTIONS,
      }),
    // Each install decision's own credential: here a fake one whose cert names the binding, so tests can see it.
    issueOnboarding: async (b) => {
      issued.push(b);
      return { ...fakeCredential(b.mac ?? `medium-${issued.length}`), certHash: `hash-${issued.length}` };
    },
    configImageFor: (ctx) => configImageWith(ctx.credential),
    leaseOf: (mac) => leases.get(mac),
    random: seededRandom(),
    onboarded: onboardedBySerial(() => devices),
    ipMacs,
    emit: (e) => events.push(e),
    clock,
    routes: opts.routes,
    logger: createLogger({
      level: 'debug',
      destination: new Writable({
        write(c, _e, cb) {
          logLines.push(String(c));
          cb();
        },
      }),
    }),
  });
  return {
    app,
    state,
    manifest,
    bootStore,
    events,
    logLines,
    devices,
    ipMacs,
    issued,
    leases,
    tick: (ms: number) => {
      now += ms;
    },
    close: async () => {
      await app.close();
      db.close();
    },
  };
}

export function reportQuery(mac: string, over: Record<string, string> = {}): string {
  const q = {
    mac,
    uuid: '8c9b5e7a-1f2d-4c3b-9a8e-0123456789ab',
    serial: 'SN-A',
    manufacturer: 'QEMU',
    product: 'Standard PC',
    buildarch: 'x86_64',
    platform: 'efi',
    net0: `${mac},up`,
    net1: '52:54:00:99:01:10,down',
    ...over,
  };
  return new URLSearchParams(q).toString();
}

/** Deterministic bytes (a counter through SHA-256): nonces differ per call and per run they repeat. */
export function seededRandom(seed = 'eveboot-test') {
  let n = 0;
  return {
    bytes: (len: number) => {
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i += 32)
        out.set(
          createHash('sha256')
            .update(`${seed}:${n++}`)
            .digest()
            .subarray(0, len - i),
          i,
        );
      return out;
    },
    uuid: () => `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}`,
  };
}
