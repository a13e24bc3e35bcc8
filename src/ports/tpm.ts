// The device-side TPM as the simulated EVE node needs it: one P-256 ECDH key and ECDH_ZGen over it.
// EVE keeps this key at persistent handle 0x81000005 (pkg/pillar/evetpm: TpmEcdhKeyHdl) and derives the
// cipher key as SHA-256(X‖Y) of the ZGen point (eve-api-facts §2.2).
import { EvebootError } from '../core/errors.js';

/** EVE's persistent handle for the device ECDH key. */
export const EVE_ECDH_KEY_HANDLE = 0x81000005;
/** EVE's persistent handle for the restricted signing (quote) key (evetpm TpmQuoteKeyHdl). */
export const EVE_QUOTE_KEY_HANDLE = 0x81000004;
/** PCRs EVE quotes (evetpm PcrListForQuote), SHA-256 bank. */
export const EVE_QUOTED_PCRS = Array.from({ length: 16 }, (_, i) => i);
/** PCRs whose values EVE sends with the quote: 0..maxPCRIndex (23), SHA-256 (tpmmgr getQuote). */
export const EVE_SENT_PCRS = Array.from({ length: 24 }, (_, i) => i);

/** A TPM2_Quote as tpmmgr getQuote returns it: TPMS_ATTEST, DER ECDSA signature, SHA-256 PCRs 0-23. */
export interface TpmQuote {
  attestData: Uint8Array;
  signature: Uint8Array;
  pcrs: { index: number; value: Uint8Array }[];
}

export interface Tpm {
  readonly kind: 'soft' | 'swtpm';
  /** Creates (once) the P-256 ECDH key EVE keeps at 0x81000005; returns its public point, 65 bytes 0x04||X||Y. */
  ecdhPublicKey(): Promise<Uint8Array>;
  /** TPM2_ECDH_ZGen: d_dev · Q, returns the shared point 0x04||X||Y (65 bytes, coordinates left-zero-padded to 32). */
  ecdhZGen(peerPoint: Uint8Array): Promise<Uint8Array>;
  /** Creates (once) the ECDSA P-256 restricted signing key EVE keeps at 0x81000004; returns its SPKI PEM. */
  attestationKeyPem(): Promise<string>;
  /** TPM2_Quote over EVE_QUOTED_PCRS with qualifying data = nonce, plus the values of EVE_SENT_PCRS. */
  quote(nonce: Uint8Array): Promise<TpmQuote>;
  close(): Promise<void>;
}

/** A TPM operation failed; the message names the command and what it printed. */
export class TpmError extends EvebootError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVEBOOT_ERR_TPM', message, options);
    this.name = 'TpmError';
  }
}

/** Checks the uncompressed SEC1 form every Tpm method speaks: 0x04 || X(32) || Y(32). */
export function assertUncompressedPoint(point: Uint8Array): void {
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new TpmError(`expected an uncompressed P-256 point (65 bytes, 0x04||X||Y), got ${point.length} bytes`);
  }
}
