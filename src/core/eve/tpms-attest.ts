// TPMS_ATTEST as TPM2_Quote returns it (TPM 2.0 Part 2 §10.12.12) and EVE forwards it untouched in
// ZAttestQuote.attestData (pkg/pillar/cmd/tpmmgr getQuote). Big-endian throughout:
//   magic u32 | type u16 | qualifiedSigner TPM2B_NAME | extraData TPM2B_DATA | clockInfo (u64 u32 u32 u8)
//   | firmwareVersion u64 | attested: TPMS_QUOTE_INFO { pcrSelect TPML_PCR_SELECTION, pcrDigest TPM2B_DIGEST }
import { createHash } from 'node:crypto';

/** TPM_GENERATED_VALUE (Part 2 §6.2): every structure the TPM signs starts with it. */
export const TPM_GENERATED_VALUE = 0xff544347;
/** TPM_ST_ATTEST_QUOTE (Part 2 §6.9). */
export const TPM_ST_ATTEST_QUOTE = 0x8018;

/** TPM_ALG_ID of the PCR banks (Part 2 §6.3) and their digest lengths. */
export enum TpmAlg {
  SHA1 = 0x0004,
  SHA256 = 0x000b,
  SHA384 = 0x000c,
  SHA512 = 0x000d,
}

export interface PcrSelection {
  hash: number;
  /** PCR indexes selected in this bank, ascending (bit n of byte n/8 selects PCR n, Part 2 §10.6.1). */
  pcrs: number[];
}

export interface QuoteInfo {
  magic: number;
  type: number;
  qualifiedSigner: Uint8Array;
  extraData: Uint8Array;
  resetCount: number;
  restartCount: number;
  pcrSelect: PcrSelection[];
  pcrDigest: Uint8Array;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Decodes a quote's TPMS_ATTEST; any other attestation type or a short or padded buffer is a reason. */
export function parseTpmsAttest(bytes: Uint8Array): Parsed<QuoteInfo> {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  const need = (n: number, what: string) => {
    if (off + n > b.length) throw new RangeError(`truncated at ${what} (offset ${off}, ${b.length} bytes)`);
  };
  const take = (n: number, what: string) => {
    need(n, what);
    off += n;
    return off - n;
  };
  const u8 = (what: string) => b.readUInt8(take(1, what));
  const u16 = (what: string) => b.readUInt16BE(take(2, what));
  const u32 = (what: string) => b.readUInt32BE(take(4, what));
  const skip = (n: number, what: string) => take(n, what);
  const tpm2b = (what: string) => {
    const len = u16(what);
    need(len, what);
    off += len;
    return new Uint8Array(b.subarray(off - len, off));
  };
  try {
    const magic = u32('magic');
    if (magic !== TPM_GENERATED_VALUE)
      return { ok: false, reason: `magic 0x${magic.toString(16)} is not TPM_GENERATED` };
    const type = u16('type');
    if (type !== TPM_ST_ATTEST_QUOTE) return { ok: false, reason: `type 0x${type.toString(16)} is not a quote` };
    const qualifiedSigner = tpm2b('qualifiedSigner');
    const extraData = tpm2b('extraData');
    skip(8, 'clock');
    const resetCount = u32('resetCount');
    const restartCount = u32('restartCount');
    skip(1, 'safe');
    skip(8, 'firmwareVersion');
    const count = u32('pcrSelect count');
    if (count > 16) return { ok: false, reason: `${count} PCR banks selected` };
    const pcrSelect: PcrSelection[] = [];
    for (let i = 0; i < count; i++) {
      const hash = u16('pcrSelect hash');
      const size = u8('sizeofSelect');
      need(size, 'pcrSelect');
      const pcrs: number[] = [];
      for (let byte = 0; byte < size; byte++) {
        const v = b[off + byte]!;
        for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) pcrs.push(byte * 8 + bit);
      }
      off += size;
      pcrSelect.push({ hash, pcrs });
    }
    const pcrDigest = tpm2b('pcrDigest');
    if (off !== b.length) return { ok: false, reason: `${b.length - off} bytes after TPMS_QUOTE_INFO` };
    return {
      ok: true,
      value: { magic, type, qualifiedSigner, extraData, resetCount, restartCount, pcrSelect, pcrDigest },
    };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** One PCR value as EVE sends it (attest.TpmPCRValue): hashAlgo is EVE's TpmHashAlgo (SHA1 1, SHA256 2). */
export interface PcrValue {
  index: number;
  hashAlgo: number;
  value: Uint8Array;
}

const EVE_ALG: Record<number, number> = { [TpmAlg.SHA1]: 1, [TpmAlg.SHA256]: 2, [TpmAlg.SHA512]: 3 };
const DIGEST: Record<number, string> = { 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

/**
 * The digest the TPM put in TPMS_QUOTE_INFO.pcrDigest, recomputed from the values the device sent: the
 * concatenation of the selected PCRs, bank by bank in selection order, hashed with the quote key's
 * scheme hash (Part 3 §18.4; its length tells which). A selected PCR missing from the values is a reason.
 */
export function expectedPcrDigest(info: QuoteInfo, values: PcrValue[]): Parsed<Uint8Array> {
  const algo = DIGEST[info.pcrDigest.length];
  if (!algo) return { ok: false, reason: `pcrDigest of ${info.pcrDigest.length} bytes` };
  const h = createHash(algo);
  for (const sel of info.pcrSelect) {
    const eveAlg = EVE_ALG[sel.hash];
    for (const index of sel.pcrs) {
      const v = values.find((p) => p.index === index && p.hashAlgo === eveAlg);
      if (!v) return { ok: false, reason: `PCR ${index} (bank 0x${sel.hash.toString(16)}) is quoted but not sent` };
      h.update(v.value);
    }
  }
  return { ok: true, value: new Uint8Array(h.digest()) };
}

/** The inverse of parseTpmsAttest, for the simulated TPM and for tests (clock fields zero except the counters). */
export function encodeTpmsAttest(q: Omit<QuoteInfo, 'magic' | 'type'> & { magic?: number; type?: number }): Uint8Array {
  const parts: Buffer[] = [];
  const u16 = (v: number) => Buffer.from([v >> 8, v & 0xff]);
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return b;
  };
  const tpm2b = (v: Uint8Array) => Buffer.concat([u16(v.length), Buffer.from(v)]);
  parts.push(u32(q.magic ?? TPM_GENERATED_VALUE), u16(q.type ?? TPM_ST_ATTEST_QUOTE));
  parts.push(tpm2b(q.qualifiedSigner), tpm2b(q.extraData));
  parts.push(Buffer.alloc(8), u32(q.resetCount), u32(q.restartCount), Buffer.from([1]), Buffer.alloc(8));
  parts.push(u32(q.pcrSelect.length));
  for (const sel of q.pcrSelect) {
    const bits = Buffer.alloc(Math.max(3, Math.ceil((Math.max(-1, ...sel.pcrs) + 1) / 8)));
    for (const p of sel.pcrs) bits[p >> 3]! |= 1 << (p & 7);
    parts.push(u16(sel.hash), Buffer.from([bits.length]), bits);
  }
  parts.push(tpm2b(q.pcrDigest));
  return new Uint8Array(Buffer.concat(parts));
}
