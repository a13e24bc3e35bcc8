// The three hash conventions of EVE (eve-api-facts §2.4). They differ; mixing them up breaks lookups silently.
import { createHash } from 'node:crypto';

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** DER bytes of the first certificate in a PEM text. */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m?.[1]) throw new Error('no PEM certificate found');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** Device and onboarding certs in AuthContainer.senderCertHash: SHA-256 over the DER, 32 bytes (authen.go). */
export function senderCertHash(pem: string): Uint8Array {
  return sha256(pemToDer(pem));
}

/** EdgeNodeCert hashes (ECDH, attest, EK) in ZAttestReq: SHA-256 over the PEM file bytes, first 16 (tpmmgr). */
export function edgeNodeCertHash(pemFileBytes: Uint8Array): Uint8Array {
  return sha256(pemFileBytes).subarray(0, 16);
}

/**
 * Our own certs in /certs: we serve the whitespace-trimmed PEM and publish SHA-256 of exactly those bytes.
 * ZCert.certHash is its first 16 bytes (adam's convention; EVE only uses it as a lookup key), while the
 * controller-to-device envelope carries all 32 bytes with algo SHA256_32BYTES.
 */
export function servedPem(pem: string): string {
  return pem.trim();
}

export function controllerCertHash(pem: string): Uint8Array {
  return sha256(servedPem(pem)).subarray(0, 16);
}

export function controllerSenderHash(pem: string): Uint8Array {
  return sha256(servedPem(pem));
}

export function hex(u: Uint8Array): string {
  return Buffer.from(u).toString('hex');
}
