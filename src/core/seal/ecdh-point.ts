// The device's (or controller's) ECDH public key as the sealing code takes it (eve-api-facts §2.3).
import { X509Certificate } from 'node:crypto';

/** The 65-byte public point 0x04||X||Y of a P-256 cert. */
export function ecdhPublicPoint(pem: string): Uint8Array {
  const jwk = new X509Certificate(pem).publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('ECDH cert does not carry a P-256 key');
  return new Uint8Array(
    Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]),
  );
}
