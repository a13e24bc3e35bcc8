// decideEscrow: what the controller answers to Z_ATTEST_REQ_TYPE_STORE_KEYS, and what it keeps.
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decideEscrow, openEscrow } from '../../../src/core/eve/escrow.js';
import { integrityTokenDigest } from '../../../src/core/eve/integrity-token.js';
import {
  type AttestStorageKeys,
  AttestStorageKeysResponseCode,
  AttestStorageKeysSchema,
  AttestVolumeKeyType,
} from '../../../src/gen/attest/attest_pb.js';
import type { SecretBox } from '../../../src/ports/secret-box.js';
import type { DeviceRecord } from '../../../src/ports/store.js';

/** Reversible and visibly not the plaintext. */
const box: SecretBox = {
  seal: (p) => `sealed:${Buffer.from(p).toString('hex')}`,
  open: (c) => Buffer.from(c.slice(7), 'hex').toString(),
};
const TOKEN = 'ab'.repeat(64);
// The store keeps only the token's SHA-256 (core/eve/integrity-token.ts).
const device = { uuid: 'u-1', integrityToken: integrityTokenDigest(Buffer.from(TOKEN, 'hex')) } as DeviceRecord;
const vsk = (key: Uint8Array) => ({ keyType: AttestVolumeKeyType.VSK, key });
const req = (token: string, keys = [vsk(new Uint8Array([1, 2, 3]))]): AttestStorageKeys =>
  create(AttestStorageKeysSchema, { integrityToken: Buffer.from(token, 'hex'), keys });

describe('decideEscrow', () => {
  const answers: { name: string; input: { device: DeviceRecord; req?: AttestStorageKeys }; want: string }[] = [
    { name: 'the current token stores the key', input: { device, req: req(TOKEN) }, want: 'SUCCESS' },
    {
      name: 'a stale token is ITOKEN_MISMATCH',
      input: { device, req: req('cd'.repeat(64)) },
      want: 'ITOKEN_MISMATCH',
    },
    { name: 'no token is ITOKEN_MISMATCH', input: { device, req: req('') }, want: 'ITOKEN_MISMATCH' },
    {
      name: 'a device that never attested is ITOKEN_MISMATCH',
      input: { device: { ...device, integrityToken: undefined }, req: req(TOKEN) },
      want: 'ITOKEN_MISMATCH',
    },
  ];
  for (const c of answers) {
    it(c.name, () => {
      const d = decideEscrow(c.input.device, c.input.req, box, 1000);
      expect(AttestStorageKeysResponseCode[d.response]).toBe(c.want);
    });
  }

  const bad: { name: string; input?: AttestStorageKeys; want: string }[] = [
    { name: 'no storage_keys at all', input: undefined, want: 'got 0' },
    { name: 'no keys', input: req(TOKEN, []), want: 'got 0' },
    { name: 'an empty key', input: req(TOKEN, [vsk(new Uint8Array())]), want: 'got 0' },
    { name: 'a key over 16 KiB', input: req(TOKEN, [vsk(new Uint8Array(16 * 1024 + 1))]), want: 'got 16385' },
    {
      name: 'more than 8 keys',
      input: req(
        TOKEN,
        Array.from({ length: 9 }, () => vsk(new Uint8Array([1]))),
      ),
      want: 'got 9',
    },
  ];
  for (const c of bad) {
    it(`${c.name} is a coded 400`, () => {
      expect(() => decideEscrow(device, c.input, box, 1000)).toThrow(
        expect.objectContaining({ code: 'EVEBOOT_ERR_BAD_REQUEST', message: expect.stringContaining(c.want) }),
      );
    });
  }

  it('keeps the key only sealed, with type and length in the clear, and opens it again', () => {
    const d = decideEscrow(device, req(TOKEN, [vsk(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))]), box, 1234);
    if (d.kind !== 'store') throw new Error('not stored');
    expect(d.record.at).toBe(1234);
    expect(d.record.keys).toEqual([{ keyType: AttestVolumeKeyType.VSK, bytes: 4 }]);
    expect(d.record.ciphertext).not.toContain(Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64'));
    expect(openEscrow(d.record, box)).toEqual([{ keyType: 'VSK', key: '3q2+7w==' }]);
  });
});
