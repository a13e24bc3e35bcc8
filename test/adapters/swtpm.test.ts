import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEccPoint, encodeEccPoint, startSwtpm } from '../../src/adapters/swtpm.js';
import type { Tpm } from '../../src/ports/tpm.js';
import { prereq } from '../support/prereq.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TPM2B_ECC_POINT marshalling', () => {
  const point = p256.getPublicKey(p256.utils.randomSecretKey(), false);

  it('round-trips 0x04||X||Y through the 70-byte 00 44 | 00 20 X | 00 20 Y form', () => {
    const wire = encodeEccPoint(point);
    expect(toHex(wire.subarray(0, 4))).toBe('00440020');
    expect(toHex(wire.subarray(36, 38))).toBe('0020');
    expect(toHex(decodeEccPoint(wire))).toBe(toHex(point));
  });

  it('left-pads short coordinates and rejects truncated input', () => {
    const short = Uint8Array.from([0, 6, 0, 1, 7, 0, 1, 9]);
    const want = new Uint8Array(65);
    want[0] = 4;
    want[32] = 7;
    want[64] = 9;
    expect(toHex(decodeEccPoint(short))).toBe(toHex(want));
    expect(() => decodeEccPoint(encodeEccPoint(point).subarray(0, 69))).toThrow(/malformed/);
  });
});

const p = prereq('swtpm', { tools: ['swtpm', 'tpm2_createprimary', 'tpm2_ecdhzgen'] });

describe.skipIf(!p.ok)('swtpm TPM (real swtpm + tpm2-tools)', () => {
  const dirs: string[] = [];
  const open: Tpm[] = [];
  const stateDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'eveboot-swtpm-'));
    dirs.push(d);
    return d;
  };
  const start = async (dir: string) => {
    const tpm = await startSwtpm({ stateDir: dir });
    open.push(tpm);
    return tpm;
  };
  const timed = async <T>(label: string, op: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await op();
    console.log(`swtpm timing: ${label} ${(performance.now() - t0).toFixed(1)} ms`);
    return result;
  };

  afterAll(async () => {
    await Promise.all(open.map((t) => t.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates the EVE ECDH key and ZGen matches the controller-side point; the key survives a restart', async () => {
    const dir = stateDir();
    const tpm = await timed('start (spawn + ready)', () => start(dir));
    expect(tpm.kind).toBe('swtpm');
    const devPub = await timed('create+persist+export key', () => tpm.ecdhPublicKey());
    expect(devPub).toHaveLength(65);
    expect(devPub[0]).toBe(4);

    const ctrlPriv = p256.utils.randomSecretKey();
    const ctrlPub = p256.getPublicKey(ctrlPriv, false);
    const z = await timed('ecdhZGen (first)', () => tpm.ecdhZGen(ctrlPub));
    expect(toHex(z)).toBe(toHex(p256.getSharedSecret(ctrlPriv, devPub, false)));
    await timed('ecdhZGen (second)', () => tpm.ecdhZGen(ctrlPub));
    await timed('close', () => tpm.close());
    expect(readdirSync(dir).filter((f) => f.startsWith('eveboot-'))).toEqual([]);

    const again = await timed('restart (spawn + ready)', () => start(dir));
    expect(toHex(await timed('reuse persisted key + export', () => again.ecdhPublicKey()))).toBe(toHex(devPub));
    expect(toHex(await again.ecdhZGen(ctrlPub))).toBe(toHex(z));
    await again.close();
  });

  it('runs two instances in parallel with distinct keys', async () => {
    const [a, b] = await timed('start two in parallel', () => Promise.all([start(stateDir()), start(stateDir())]));
    const [pa, pb] = await Promise.all([a.ecdhPublicKey(), b.ecdhPublicKey()]);
    expect(toHex(pa)).not.toBe(toHex(pb));
    const ctrlPriv = p256.utils.randomSecretKey();
    const ctrlPub = p256.getPublicKey(ctrlPriv, false);
    const [za, zb] = await Promise.all([a.ecdhZGen(ctrlPub), b.ecdhZGen(ctrlPub)]);
    expect(toHex(za)).toBe(toHex(p256.getSharedSecret(ctrlPriv, pa, false)));
    expect(toHex(zb)).toBe(toHex(p256.getSharedSecret(ctrlPriv, pb, false)));
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects a point that is not on the curve with the tool error', async () => {
    const tpm = await start(stateDir());
    await tpm.ecdhPublicKey();
    const bad = p256.getPublicKey(p256.utils.randomSecretKey(), false);
    bad[64] = (bad[64] ?? 0) ^ 1;
    await expect(tpm.ecdhZGen(bad)).rejects.toThrow(/tpm2_ecdhzgen .* failed/);
    await tpm.close();
  });
});
