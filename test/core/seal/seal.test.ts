import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { deriveKey, openSealed, sealToken, sharedPoint } from '../../../src/core/seal/seal.js';
import { mintToken } from '../../../src/core/seal/token.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (u: Uint8Array) => Buffer.from(u).toString('hex');

// Known-answer vector, eve-api-facts §2.7 (decrypted there by a Go restatement of EVE's soft path).
const kat = {
  devPriv: hex('1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f01'),
  devX: '767843dc0213f192896b904e0511951751b5eddcdc53d6608fc5c5c519e24947',
  devY: '1e6c62dc65246985832a58b128e7faa82344773b02a55cb765c69d20c2b4ebf6',
  ctrlPriv: hex('2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e02'),
  ctrlX: '34f0a6ce65eab2b6193487f666626f1fea049419f29c4a0f5ad204f8c502f6bd',
  ctrlY: '8e220f3711e57d9052a2bfd4e02ab46d8395064215ecfb492e05ecb2441139ce',
  sharedX: '99989e9de527545d3098d4a797cd53234d42315d76dfa4ff8dfe27a27bcca9cd',
  sharedY: '8b3cd0df4d377a77d55e81a985210ef3a4220a4951fde1302b092d10f4efa2dc',
  key: '0a8ba73b9b75de7bb9a0081c32c0b5ebab60fff3a02cd4ae006d46c5fd397362',
  token: 'K10-example-cluster-token',
  iv: hex('000102030405060708090a0b0c0d0e0f'),
  cipherData: '98ecaa6d41b88ef09b047955b845e2bee206170bd4a3fb41e00166',
  clearTextSha256: 'b68138157a1d9be4ee7ed141c158724e531eb30ecf9391e5fa1bb5abef9a2edd',
};

const devHash = hex('00112233445566778899aabbccddeeff');
const ctrlHash = hex('ffeeddccbbaa99887766554433221100');

describe('sealToken known-answer vector (eve-api-facts §2.7)', () => {
  const devPub = p256.getPublicKey(kat.devPriv, false);
  const ctrlPub = p256.getPublicKey(kat.ctrlPriv, false);

  it('derives the published public points', () => {
    expect(toHex(devPub)).toBe(`04${kat.devX}${kat.devY}`);
    expect(toHex(ctrlPub)).toBe(`04${kat.ctrlX}${kat.ctrlY}`);
  });

  it('computes the shared point and SHA-256(X||Y) key', () => {
    const shared = sharedPoint(kat.ctrlPriv, devPub);
    expect(toHex(shared)).toBe(`04${kat.sharedX}${kat.sharedY}`);
    expect(toHex(deriveKey(shared))).toBe(kat.key);
  });

  it('reproduces cipherData and clearTextSha256 byte for byte', () => {
    const sealed = sealToken({
      controllerPrivate: kat.ctrlPriv,
      devicePublic: devPub,
      deviceCertHash: devHash,
      controllerCertHash: ctrlHash,
      token: kat.token,
      iv: kat.iv,
      contextId: 'ctx-1',
    });
    expect(toHex(sealed.block.cipherData)).toBe(kat.cipherData);
    expect(toHex(sealed.block.clearTextSha256)).toBe(kat.clearTextSha256);
    expect(toHex(sealed.block.initialValue)).toBe(toHex(kat.iv));
    expect(sealed.block.cipherContextId).toBe('ctx-1');
    expect(toHex(sealed.context.deviceCertHash)).toBe(toHex(devHash));
    expect(toHex(sealed.context.controllerCertHash)).toBe(toHex(ctrlHash));
    expect(sealed.context.keyExchangeScheme).toBe(1);
    expect(sealed.context.encryptionScheme).toBe(1);
    expect(sealed.context.hashScheme).toBe(1);
  });

  it('the device side recovers the token from its own key', () => {
    const sealed = sealToken({
      controllerPrivate: kat.ctrlPriv,
      devicePublic: devPub,
      deviceCertHash: devHash,
      controllerCertHash: ctrlHash,
      token: kat.token,
      iv: kat.iv,
      contextId: 'ctx-1',
    });
    expect(openSealed(sealed.context, sealed.block, sharedPoint(kat.devPriv, ctrlPub))).toBe(kat.token);
  });
});

describe('sealToken refuses bad input with a clear error', () => {
  const devPub = p256.getPublicKey(kat.devPriv, false);
  const base = {
    controllerPrivate: kat.ctrlPriv,
    devicePublic: devPub,
    deviceCertHash: devHash,
    controllerCertHash: ctrlHash,
    token: 't',
    iv: kat.iv,
    contextId: 'c',
  };
  const cases = [
    {
      name: 'an IV of 12 bytes (Go CFB would panic on the device)',
      input: { ...base, iv: new Uint8Array(12) },
      want: /IV/,
    },
    {
      name: 'a 32-byte device cert hash (EVE looks up 16)',
      input: { ...base, deviceCertHash: new Uint8Array(32) },
      want: /16-byte/,
    },
    {
      name: 'a device point not on the curve',
      input: { ...base, devicePublic: new Uint8Array(65).fill(4) },
      want: /P-256/,
    },
    { name: 'an empty token', input: { ...base, token: '' }, want: /empty/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(() => sealToken(c.input)).toThrow(c.want);
    });
  }

  it('openSealed rejects a tampered block', () => {
    const sealed = sealToken({ ...base, token: 'secret' });
    sealed.block.cipherData[0] = (sealed.block.cipherData[0] ?? 0) ^ 1;
    expect(() =>
      openSealed(sealed.context, sealed.block, sharedPoint(kat.devPriv, p256.getPublicKey(kat.ctrlPriv, false))),
    ).toThrow(/clearTextSha256/);
  });
});

describe('mintToken', () => {
  it('makes a 43-character base64url token from 32 random bytes', () => {
    expect(mintToken(new Uint8Array(32).fill(7))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
  it('refuses fewer than 256 bits', () => {
    expect(() => mintToken(new Uint8Array(16))).toThrow();
  });
});
