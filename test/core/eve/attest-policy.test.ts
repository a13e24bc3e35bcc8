import { generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  judgeQuote,
  type QuoteEvidence,
  type QuoteSubject,
  type TpmLevel,
} from '../../../src/core/eve/attest-policy.js';
import { ZAttestResponseCode } from '../../../src/gen/attest/attest_pb.js';
import { certFor, swtpmQuote } from '../../support/quote-fixture.js';

const R = ZAttestResponseCode;
const empty: QuoteEvidence = { attestData: new Uint8Array(), signature: new Uint8Array(), pcrValues: [] };
const real: QuoteEvidence = swtpmQuote;

describe('judgeQuote', () => {
  let akCert: string;
  let otherCert: string;
  beforeAll(async () => {
    akCert = await certFor(swtpmQuote.akPublicPem);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    otherCert = await certFor(other.export({ format: 'pem', type: 'spki' }).toString());
  });
  const nonce = swtpmQuote.nonce;
  type Case = {
    name: string;
    input: { level: TpmLevel; device: () => QuoteSubject; quote: QuoteEvidence | undefined };
    want: { kind: 'accept'; signed: boolean } | { code: ZAttestResponseCode; reason: RegExp };
  };
  const cases: Case[] = [
    {
      name: 'required: a real swtpm quote signed by the cert on file, fresh against our nonce, passes',
      input: { level: 'required', device: () => ({ nonce, attestCertPem: akCert }), quote: real },
      want: { kind: 'accept', signed: true },
    },
    {
      name: 'required: an empty quote (no TPM) is refused',
      input: { level: 'required', device: () => ({ nonce }), quote: empty },
      want: { code: R.QUOTE_FAILED, reason: /required/ },
    },
    {
      name: 'required: a missing quote is refused like an empty one',
      input: { level: 'required', device: () => ({ nonce }), quote: undefined },
      want: { code: R.QUOTE_FAILED, reason: /required/ },
    },
    {
      name: 'any level: no nonce outstanding is a nonce mismatch',
      input: { level: 'off', device: () => ({ attestCertPem: akCert }), quote: real },
      want: { code: R.NONCE_MISMATCH, reason: /no nonce/ },
    },
    {
      name: 'a replayed quote (made for another nonce) is a nonce mismatch',
      input: { level: 'required', device: () => ({ nonce: 'aa'.repeat(16), attestCertPem: akCert }), quote: real },
      want: { code: R.NONCE_MISMATCH, reason: /extraData/ },
    },
    {
      name: 'a quote without an attestation cert on file: no cert found',
      input: { level: 'required', device: () => ({ nonce }), quote: real },
      want: { code: R.NO_CERT_FOUND, reason: /no attestation cert/ },
    },
    {
      name: 'a quote signed by another key than the cert on file fails',
      input: { level: 'required', device: () => ({ nonce, attestCertPem: otherCert }), quote: real },
      want: { code: R.QUOTE_FAILED, reason: /signature/ },
    },
    {
      name: 'PCR values that do not match the quoted digest fail',
      input: {
        level: 'required',
        device: () => ({ nonce, attestCertPem: akCert }),
        quote: {
          ...real,
          pcrValues: real.pcrValues.map((p) => (p.index === 0 ? { ...p, value: new Uint8Array(32).fill(7) } : p)),
        },
      },
      want: { code: R.QUOTE_FAILED, reason: /pcrDigest/ },
    },
    {
      name: 'a flipped bit in attestData breaks the signature',
      input: {
        level: 'off',
        device: () => ({ nonce, attestCertPem: akCert }),
        quote: { ...real, attestData: Uint8Array.from(real.attestData, (b, i) => (i === 60 ? b ^ 1 : b)) },
      },
      want: { code: R.QUOTE_FAILED, reason: /signature/ },
    },
    {
      name: 'garbage attestData fails with the parse reason',
      input: {
        level: 'off',
        device: () => ({ nonce, attestCertPem: akCert }),
        quote: { ...real, attestData: new Uint8Array([1, 2, 3]) },
      },
      want: { code: R.QUOTE_FAILED, reason: /attestData: truncated/ },
    },
    {
      name: 'preferred: an empty quote from a device with no TPM evidence passes, unsigned',
      input: { level: 'preferred', device: () => ({ nonce }), quote: empty },
      want: { kind: 'accept', signed: false },
    },
    {
      name: 'preferred: no downgrade once the device passed with a signed quote',
      input: { level: 'preferred', device: () => ({ nonce, quoteVerifiedAt: 1 }), quote: empty },
      want: { code: R.QUOTE_FAILED, reason: /once sent a signed quote/ },
    },
    {
      name: 'preferred: an empty quote passes even with a quote cert on file (TPM-less EVE uploads a soft one)',
      input: { level: 'preferred', device: () => ({ nonce, attestCertPem: akCert }), quote: empty },
      want: { kind: 'accept', signed: false },
    },
    {
      name: 'off: an empty quote passes (the demo)',
      input: { level: 'off', device: () => ({ nonce }), quote: empty },
      want: { kind: 'accept', signed: false },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = judgeQuote(c.input.level, c.input.device(), c.input.quote);
      if ('kind' in c.want) return expect(v).toEqual(c.want);
      expect(v.kind).toBe('refuse');
      if (v.kind === 'refuse') {
        expect(ZAttestResponseCode[v.code]).toBe(ZAttestResponseCode[c.want.code]);
        expect(v.reason).toMatch(c.want.reason);
      }
    });
  }

  it('an RSA attestation key (RSASSA-PKCS1-v1_5, SHA-256) is verified as such', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = await certFor(rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const signature = new Uint8Array(sign('sha256', real.attestData, rsa.privateKey));
    expect(judgeQuote('required', { nonce, attestCertPem: cert }, { ...real, signature })).toEqual({
      kind: 'accept',
      signed: true,
    });
  });
});
