// A TPM stand-in for EVE's no-TPM path: the ECDH scalar lives in memory (EVE: /persist/certs/ecdh.key.pem)
// and ZGen is a plain scalar multiplication on P-256 (eve-api-facts §2.2 step 5).
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { assertUncompressedPoint, type Tpm, TpmError } from '../ports/tpm.js';

function randomScalar(): Uint8Array {
  for (;;) {
    const candidate = new Uint8Array(randomBytes(32));
    if (p256.utils.isValidSecretKey(candidate)) return candidate;
  }
}

/** An in-memory Tpm; pass a scalar for known-answer tests, otherwise a random one is drawn. */
export function createSoftTpm(privateScalar?: Uint8Array): Tpm {
  if (privateScalar && !p256.utils.isValidSecretKey(privateScalar)) {
    throw new TpmError('soft TPM: the private scalar is not a valid P-256 secret key (32 bytes, 1..n-1)');
  }
  const scalar = privateScalar ? Uint8Array.from(privateScalar) : randomScalar();
  const publicPoint = p256.getPublicKey(scalar, false);
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new TpmError('soft TPM is closed');
  };
  return {
    kind: 'soft',
    async ecdhPublicKey() {
      ensureOpen();
      return Uint8Array.from(publicPoint);
    },
    async ecdhZGen(peerPoint) {
      ensureOpen();
      assertUncompressedPoint(peerPoint);
      try {
        return p256.getSharedSecret(scalar, peerPoint, false);
      } catch (err) {
        throw new TpmError(`soft TPM: ECDH_ZGen rejected the peer point: ${(err as Error).message}`, { cause: err });
      }
    },
    async close() {
      closed = true;
      scalar.fill(0);
    },
  };
}
