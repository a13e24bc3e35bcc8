import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { TpmError } from '../../src/ports/tpm.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// eve-api-facts.md §2.7, cross-checked there against a Go restatement of EVE's soft path.
const vector = {
  deviceScalar: '1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f01',
  devicePub: `04${'767843dc0213f192896b904e0511951751b5eddcdc53d6608fc5c5c519e24947'}${'1e6c62dc65246985832a58b128e7faa82344773b02a55cb765c69d20c2b4ebf6'}`,
  controllerPub: `04${'34f0a6ce65eab2b6193487f666626f1fea049419f29c4a0f5ad204f8c502f6bd'}${'8e220f3711e57d9052a2bfd4e02ab46d8395064215ecfb492e05ecb2441139ce'}`,
  shared: `04${'99989e9de527545d3098d4a797cd53234d42315d76dfa4ff8dfe27a27bcca9cd'}${'8b3cd0df4d377a77d55e81a985210ef3a4220a4951fde1302b092d10f4efa2dc'}`,
};

describe('soft TPM', () => {
  it('reproduces the eve-api-facts §2.7 known-answer vector', async () => {
    const tpm = createSoftTpm(hex(vector.deviceScalar));
    expect(tpm.kind).toBe('soft');
    expect(toHex(await tpm.ecdhPublicKey())).toBe(vector.devicePub);
    expect(toHex(await tpm.ecdhZGen(hex(vector.controllerPub)))).toBe(vector.shared);
    await tpm.close();
  });

  it('agrees with the controller side for a random device key', async () => {
    const tpm = createSoftTpm();
    const devPub = await tpm.ecdhPublicKey();
    expect(devPub).toHaveLength(65);
    const ctrlPriv = p256.utils.randomSecretKey();
    const zgen = await tpm.ecdhZGen(p256.getPublicKey(ctrlPriv, false));
    expect(toHex(zgen)).toBe(toHex(p256.getSharedSecret(ctrlPriv, devPub, false)));
    await tpm.close();
  });

  it('draws a fresh key per instance', async () => {
    const [a, b] = [createSoftTpm(), createSoftTpm()];
    expect(toHex(await a.ecdhPublicKey())).not.toBe(toHex(await b.ecdhPublicKey()));
  });

  it('rejects an invalid scalar, a compressed point and a point off the curve', async () => {
    expect(() => createSoftTpm(new Uint8Array(32))).toThrow(TpmError);
    const tpm = createSoftTpm(hex(vector.deviceScalar));
    const compressed = p256.getPublicKey(p256.utils.randomSecretKey(), true);
    await expect(tpm.ecdhZGen(compressed)).rejects.toThrow(/uncompressed/);
    const offCurve = hex(vector.controllerPub);
    offCurve[64] = (offCurve[64] ?? 0) ^ 1;
    await expect(tpm.ecdhZGen(offCurve)).rejects.toThrow(TpmError);
  });

  it('refuses to work after close', async () => {
    const tpm = createSoftTpm();
    await tpm.close();
    await expect(tpm.ecdhPublicKey()).rejects.toThrow(/closed/);
  });
});
