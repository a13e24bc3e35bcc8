// A TPM stand-in: the ECDH scalar lives in memory (EVE: /persist/certs/ecdh.key.pem) and ZGen is a plain
// scalar multiplication on P-256 (eve-api-facts §2.2 step 5). It also quotes with an in-memory P-256 key over
// all-zero PCRs, byte for byte the TPMS_ATTEST a TPM returns, so simulated nodes pass onboarding.tpm: required.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { encodeTpmsAttest, TpmAlg } from '../core/eve/tpms-attest.js';
import { assertUncompressedPoint, EVE_QUOTED_PCRS, EVE_SENT_PCRS, type Tpm, TpmError } from '../ports/tpm.js';

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
  const ak = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const akPem = ak.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const pcrs = EVE_SENT_PCRS.map((index) => ({ index, value: new Uint8Array(32) }));
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
    async attestationKeyPem() {
      ensureOpen();
      return akPem;
    },
    async quote(nonce) {
      ensureOpen();
      const digest = createHash('sha256');
      for (const p of pcrs.filter((x) => EVE_QUOTED_PCRS.includes(x.index))) digest.update(p.value);
      const attestData = encodeTpmsAttest({
        qualifiedSigner: new Uint8Array(createHash('sha256').update(akPem).digest()),
        extraData: nonce,
        resetCount: 0,
        restartCount: 0,
        pcrSelect: [{ hash: TpmAlg.SHA256, pcrs: EVE_QUOTED_PCRS }],
        pcrDigest: new Uint8Array(digest.digest()),
      });
      const signature = new Uint8Array(sign('sha256', attestData, { key: ak.privateKey, dsaEncoding: 'der' }));
      return { attestData, signature, pcrs: pcrs.map((p) => ({ ...p, value: Uint8Array.from(p.value) })) };
    },
    async close() {
      closed = true;
      scalar.fill(0);
    },
  };
}
