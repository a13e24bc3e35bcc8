// What a quote must prove before we hand out an integrity token, per the site's onboarding.tpm level.
// Pure: the device's record, the nonce we issued and the quote come in; a verdict goes out.
//   required  – no token without a TPM quote signed by the attestation cert on file and fresh against our nonce.
//   preferred – a device without a TPM may pass with an empty quote, unless it has once passed with a signed
//               quote (no downgrade).
//   off       – empty quotes pass; a quote that is present is still checked (never accepted unverified).
import { type KeyObject, verify, X509Certificate } from 'node:crypto';
import { ZAttestResponseCode } from '../../gen/attest/attest_pb.js';
import { expectedPcrDigest, type PcrValue, parseTpmsAttest } from './tpms-attest.js';

export type TpmLevel = 'required' | 'preferred' | 'off';

export interface AttestPolicy {
  tpm: TpmLevel;
  /** PEM certs of TPM vendor CAs; when non-empty an uploaded endorsement cert must chain to one. */
  vendorCas: string[];
}

export interface QuoteEvidence {
  attestData: Uint8Array;
  signature: Uint8Array;
  pcrValues: PcrValue[];
}

export interface QuoteSubject {
  /** hex nonce we issued and have not yet consumed. */
  nonce?: string;
  attestCertPem?: string;
  /** Set once this device has passed with a signed quote. */
  quoteVerifiedAt?: number;
}

export type QuoteVerdict =
  | { kind: 'accept'; signed: boolean }
  | { kind: 'refuse'; code: ZAttestResponseCode; reason: string };

const refuse = (code: ZAttestResponseCode, reason: string): QuoteVerdict => ({ kind: 'refuse', code, reason });

export function judgeQuote(level: TpmLevel, device: QuoteSubject, quote: QuoteEvidence | undefined): QuoteVerdict {
  if (!device.nonce) return refuse(ZAttestResponseCode.NONCE_MISMATCH, 'no nonce outstanding: ask for one first');
  // EVE without a TPM sends the quote with no attestData (tpmmgr getQuote returns nil, nil, nil).
  if (!quote || quote.attestData.length === 0) return judgeEmpty(level, device);
  const parsed = parseTpmsAttest(quote.attestData);
  if (!parsed.ok) return refuse(ZAttestResponseCode.QUOTE_FAILED, `attestData: ${parsed.reason}`);
  const info = parsed.value;
  if (Buffer.from(info.extraData).toString('hex') !== device.nonce)
    return refuse(ZAttestResponseCode.NONCE_MISMATCH, 'quote extraData is not the nonce we issued');
  if (!device.attestCertPem) return refuse(ZAttestResponseCode.NO_CERT_FOUND, 'no attestation cert on file');
  const digest = expectedPcrDigest(info, quote.pcrValues);
  if (!digest.ok) return refuse(ZAttestResponseCode.QUOTE_FAILED, digest.reason);
  if (!Buffer.from(digest.value).equals(Buffer.from(info.pcrDigest)))
    return refuse(ZAttestResponseCode.QUOTE_FAILED, 'PCR values sent do not match the quoted pcrDigest');
  if (!quoteSignatureValid(certKey(device.attestCertPem), quote.attestData, quote.signature))
    return refuse(ZAttestResponseCode.QUOTE_FAILED, 'quote signature does not verify with the attestation cert');
  return { kind: 'accept', signed: true };
}

function judgeEmpty(level: TpmLevel, device: QuoteSubject): QuoteVerdict {
  if (level === 'off') return { kind: 'accept', signed: false };
  if (level === 'required')
    return refuse(ZAttestResponseCode.QUOTE_FAILED, 'onboarding.tpm is required and the quote is empty (no TPM)');
  // A cert on file alone is no sign of a TPM: TPM-less EVE uploads a software quote cert too (tpmmgr
  // createQuoteCertSoft) and still sends empty quotes. Only a device that has passed with a signed quote is held.
  if (device.quoteVerifiedAt !== undefined)
    return refuse(ZAttestResponseCode.QUOTE_FAILED, 'empty quote from a device that once sent a signed quote');
  return { kind: 'accept', signed: false };
}

/**
 * EVE signs with a restricted ECDSA P-256/SHA-256 key and sends the signature ASN.1 DER (tpmmgr getQuote);
 * an RSA attestation key (RSASSA-PKCS1-v1_5, SHA-256) is checked as such. The hash follows the key size.
 */
export function quoteSignatureValid(key: KeyObject | undefined, data: Uint8Array, signature: Uint8Array): boolean {
  if (!key) return false;
  try {
    if (key.asymmetricKeyType === 'ec') {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const hash = curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
      return verify(hash, data, { key, dsaEncoding: 'der' }, signature);
    }
    if (key.asymmetricKeyType === 'rsa') return verify('sha256', data, key, signature);
    return false;
  } catch {
    return false;
  }
}

function certKey(pem: string): KeyObject | undefined {
  try {
    return new X509Certificate(pem).publicKey;
  } catch {
    return undefined;
  }
}

/** Whether cert (PEM) was issued by one of the CA PEMs: signature and issuer name, and the CA is in date. */
export function chainsToVendor(certPem: string, vendorCas: string[], now: number): boolean {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return false;
  }
  return vendorCas.some((pem) => {
    try {
      const ca = new X509Certificate(pem);
      const inDate = Date.parse(ca.validFrom) <= now && now <= Date.parse(ca.validTo);
      return inDate && cert.checkIssued(ca) && cert.verify(ca.publicKey);
    } catch {
      return false;
    }
  });
}
