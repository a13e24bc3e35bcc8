// Promise 1 of issue #11 for the CONFIG inside installer.iso: the stand-in installer reads it through the
// eveboot.iso= URL its install decision put on the kernel command line, and that URL carries the decision's nonce.
// The patched ISO goes only to the decision's IP (and the MAC leased it), with that nonce, until the install is
// recorded: a stolen nonce from another address, the bare name, or a guessed nonce get a 403 and no CONFIG.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEmbeddedConfig } from '../../src/core/iso/embedded-config.js';
import { demoInstallerIso } from '../../src/sim/demo-media.js';
import {
  type BootEvent,
  bootApiOnFakeBundle,
  installConfigImage,
  MAC_A,
  reportQuery,
} from '../adapters/boot-fixture.js';

const NODE_IP = '10.99.0.110';
const EVIL_IP = '10.99.0.66';

/** A stand-in (kernel mode) release as the demo imports it: kernel, initrd, cmdline and EVE's installer.iso. */
function standInRelease(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel'), Buffer.alloc(4096, 1));
  writeFileSync(join(dir, 'initrd'), Buffer.alloc(8192, 2));
  writeFileSync(join(dir, 'cmdline'), 'console=ttyS0\n');
  writeFileSync(join(dir, 'installer.iso'), demoInstallerIso());
  writeFileSync(join(dir, 'eve_version'), '14.5.1-k-amd64\n');
  return dir;
}

describe('the CONFIG inside installer.iso is bound to the install decision: MAC, IP and nonce', () => {
  let t: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
  let isoUrl: URL;
  const get = (url: string, ip: string) => t.app.inject({ url, remoteAddress: ip });
  const path = (u: URL) => `${u.pathname}${u.search}`;

  beforeAll(async () => {
    t = await bootApiOnFakeBundle({ bundle: standInRelease });
    expect(t.manifest.boot.mode).toBe('kernel');
    t.leases.set(MAC_A, NODE_IP);
    const script = (await get(`/boot/report?${reportQuery(MAC_A)}`, NODE_IP)).body;
    expect(script).toMatch(/^# eveboot decision for .*: install$/m);
    isoUrl = new URL(/eveboot\.iso=(\S+)/.exec(script)![1]!);
    expect(isoUrl.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
  afterAll(async () => t?.close());

  it('refuses the ISO to another IP even with the nonce, and flags it', async () => {
    const r = await get(path(isoUrl), EVIL_IP);
    expect(r.statusCode).toBe(403);
    expect(r.body).not.toContain('PRIVATE KEY');
    const flagged = t.events.filter((e: BootEvent) => e.type === 'trust.suspicious');
    expect(flagged).toEqual([expect.objectContaining({ data: expect.objectContaining({ ip: EVIL_IP, mac: MAC_A }) })]);
  });

  it("refuses it to the node's own IP without the nonce or with another one", async () => {
    const bare = await get(isoUrl.pathname, NODE_IP);
    expect(bare.statusCode).toBe(403);
    expect(bare.body).toMatch(/nonce \(eveboot\.iso=\).*sent none/);
    const guessed = await get(`${isoUrl.pathname}?nonce=${'C'.repeat(22)}`, NODE_IP);
    expect(guessed.statusCode).toBe(403);
    expect(guessed.body).toMatch(/not the one of .*install decision/);
    expect(t.events.filter((e) => e.type === 'boot.config-refused').length).toBeGreaterThanOrEqual(3);
  });

  it('serves the node its own CONFIG in the ISO with the nonce, and nothing once the install is recorded', async () => {
    const r = await get(path(isoUrl), NODE_IP);
    expect(r.statusCode).toBe(200);
    const iso = new Uint8Array(r.rawPayload);
    const found = findEmbeddedConfig((o, l) => iso.subarray(o, o + l), iso.length);
    if (found.kind !== 'found') throw new Error(found.reason);
    const config = iso.subarray(found.config.offset, found.config.offset + found.config.size);
    expect(Buffer.from(config).equals(Buffer.from(installConfigImage(MAC_A)))).toBe(true);
    const nonce = isoUrl.searchParams.get('nonce');
    expect((await get(`/boot/installed?mac=${MAC_A}&nonce=${nonce}`, NODE_IP)).statusCode).toBe(200);
    expect((await get(path(isoUrl), NODE_IP)).statusCode).toBe(403);
  });
});
