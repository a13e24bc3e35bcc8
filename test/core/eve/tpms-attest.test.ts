import { describe, expect, it } from 'vitest';
import {
  encodeTpmsAttest,
  expectedPcrDigest,
  parseTpmsAttest,
  TPM_ST_ATTEST_QUOTE,
  TpmAlg,
} from '../../../src/core/eve/tpms-attest.js';
import { swtpmQuote } from '../../support/quote-fixture.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const base = {
  qualifiedSigner: new Uint8Array([0, 11, 1, 2, 3]),
  extraData: new Uint8Array(Buffer.from('00112233445566778899aabb', 'hex')),
  resetCount: 3,
  restartCount: 1,
  pcrSelect: [{ hash: TpmAlg.SHA256, pcrs: [0, 1, 7, 15] }],
  pcrDigest: new Uint8Array(32).fill(9),
};

describe('parseTpmsAttest', () => {
  it('decodes the real swtpm quote: magic, QUOTE, our nonce as extraData, PCRs 0-15 of SHA-256', () => {
    const r = parseTpmsAttest(swtpmQuote.attestData);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.type).toBe(TPM_ST_ATTEST_QUOTE);
    expect(hex(r.value.extraData)).toBe(swtpmQuote.nonce);
    expect(r.value.pcrSelect).toEqual([{ hash: TpmAlg.SHA256, pcrs: [...Array(16).keys()] }]);
    expect(r.value.pcrDigest.length).toBe(32);
  });

  it('round-trips: encode(parse(real quote)) gives the same bytes back', () => {
    const r = parseTpmsAttest(swtpmQuote.attestData);
    if (!r.ok) throw new Error(r.reason);
    const again = parseTpmsAttest(encodeTpmsAttest(r.value));
    expect(again.ok && hex(again.value.pcrDigest)).toBe(hex(r.value.pcrDigest));
    expect(again.ok && again.value.pcrSelect).toEqual(r.value.pcrSelect);
  });

  const encoded = encodeTpmsAttest(base);
  const cases: { name: string; input: Uint8Array; want: RegExp | 'ok' }[] = [
    { name: 'a well-formed quote parses', input: encoded, want: 'ok' },
    { name: 'an empty buffer is truncated at magic', input: new Uint8Array(), want: /truncated at magic/ },
    { name: 'a wrong magic is refused', input: encodeTpmsAttest({ ...base, magic: 0xff544348 }), want: /magic/ },
    {
      name: 'an attestation of another type (certify, 0x8017) is not a quote',
      input: encodeTpmsAttest({ ...base, type: 0x8017 }),
      want: /not a quote/,
    },
    {
      name: 'a quote cut inside the PCR digest is truncated',
      input: encoded.subarray(0, encoded.length - 5),
      want: /truncated at pcrDigest/,
    },
    {
      name: 'trailing bytes after the quote info are refused',
      input: new Uint8Array([...encoded, 0]),
      want: /1 bytes after/,
    },
    {
      name: 'an extraData length beyond the buffer is truncated',
      input: (() => {
        const b = Uint8Array.from(encoded);
        b[6 + 2 + 5] = 0xff;
        return b;
      })(),
      want: /truncated at extraData/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseTpmsAttest(c.input);
      if (c.want === 'ok') expect(r.ok).toBe(true);
      else expect(r.ok ? 'parsed' : r.reason).toMatch(c.want);
    });
  }
});

describe('expectedPcrDigest', () => {
  const parsed = parseTpmsAttest(swtpmQuote.attestData);
  if (!parsed.ok) throw new Error(parsed.reason);
  const cases: { name: string; input: typeof swtpmQuote.pcrValues; want: 'match' | 'differ' | RegExp }[] = [
    { name: 'the PCR values swtpm read give its quoted digest', input: swtpmQuote.pcrValues, want: 'match' },
    {
      name: 'one changed PCR gives another digest',
      input: swtpmQuote.pcrValues.map((p) => (p.index === 7 ? { ...p, value: new Uint8Array(32).fill(1) } : p)),
      want: 'differ',
    },
    { name: 'a quoted PCR left out is a reason', input: swtpmQuote.pcrValues.slice(1), want: /PCR 0 .* not sent/ },
    {
      name: 'values from the SHA-1 bank do not stand in for SHA-256',
      input: swtpmQuote.pcrValues.map((p) => ({ ...p, hashAlgo: 1 })),
      want: /not sent/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = expectedPcrDigest(parsed.value, c.input);
      if (typeof c.want !== 'string') return expect(r.ok ? 'computed' : r.reason).toMatch(c.want);
      expect(r.ok).toBe(true);
      if (r.ok) expect(hex(r.value) === hex(parsed.value.pcrDigest)).toBe(c.want === 'match');
    });
  }
});
