// TPM2_Quote as EVE's tpmmgr asks for it (pkg/pillar/cmd/tpmmgr/tpmmgr.go getQuote): quote key at 0x81000004,
// the controller's nonce as qualifyingData, PCR selection SHA-256 bank PCRs 0–15 (evetpm PcrListForQuote), and
// the ECDSA signature re-encoded as ASN.1 DER. The simulator holds the quote key in memory (a TPM stand-in);
// the bytes are TPMS_ATTEST exactly as a TPM lays them out (TPM 2.0 Part 2 §10.12.12, big-endian).
import { createHash, type KeyObject, sign } from 'node:crypto';
import { TPM_ALG_SHA256 } from './tpm-eventlog.js';

/** TPM_GENERATED_VALUE and TPM_ST_ATTEST_QUOTE (TPM 2.0 Part 2 §6.2, §6.9). */
const TPM_GENERATED_VALUE = 0xff544347;
const TPM_ST_ATTEST_QUOTE = 0x8018;

/** evetpm.PcrListForQuote. */
export const QUOTE_PCRS = Array.from({ length: 16 }, (_, i) => i);

export interface QuoteInput {
  nonce: Uint8Array;
  /** SHA-256 bank, index = PCR number. */
  pcrs: Uint8Array[];
  /** The quote key's public area name (nameAlg ‖ digest); any 34 bytes for a SHA-256 name. */
  signerName: Uint8Array;
  /** TPMS_CLOCK_INFO and firmware version, as the TPM reports them. */
  clockMs: bigint;
  resetCount: number;
  restartCount: number;
  firmwareVersion: bigint;
}

function tpm2b(data: Uint8Array): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(data.length);
  return Buffer.concat([len, Buffer.from(data)]);
}

/** TPML_PCR_SELECTION with one TPMS_PCR_SELECTION (3-byte bitmap, PCR n = bit n%8 of byte n/8). */
function pcrSelection(pcrs: number[]): Buffer {
  const bitmap = Buffer.alloc(3);
  for (const p of pcrs) bitmap[p >> 3]! |= 1 << (p & 7);
  const b = Buffer.alloc(4 + 2 + 1);
  b.writeUInt32BE(1, 0);
  b.writeUInt16BE(TPM_ALG_SHA256, 4);
  b.writeUInt8(3, 6);
  return Buffer.concat([b, bitmap]);
}

export function encodeQuoteAttest(q: QuoteInput): Uint8Array {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(TPM_GENERATED_VALUE, 0);
  head.writeUInt16BE(TPM_ST_ATTEST_QUOTE, 4);
  const clock = Buffer.alloc(8 + 4 + 4 + 1 + 8);
  clock.writeBigUInt64BE(q.clockMs, 0);
  clock.writeUInt32BE(q.resetCount, 8);
  clock.writeUInt32BE(q.restartCount, 12);
  clock.writeUInt8(1, 16); // safe
  clock.writeBigUInt64BE(q.firmwareVersion, 17);
  // pcrDigest: hash (the key's scheme hash, SHA-256) of the selected PCR values in selection order.
  const digest = createHash('sha256');
  for (const p of QUOTE_PCRS) digest.update(q.pcrs[p]!);
  return new Uint8Array(
    Buffer.concat([head, tpm2b(q.signerName), tpm2b(q.nonce), clock, pcrSelection(QUOTE_PCRS), tpm2b(digest.digest())]),
  );
}

/** ECDSA P-256 over SHA-256(attestData), DER-encoded as tpmmgr re-encodes the TPM's r,s. */
export function signQuote(attestData: Uint8Array, quoteKey: KeyObject): Uint8Array {
  return new Uint8Array(sign('sha256', attestData, { key: quoteKey, dsaEncoding: 'der' }));
}
