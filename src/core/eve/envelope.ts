// AuthContainer: the signed envelope of API v2 (eve-api-facts §3.3). Digest = SHA-256(payload), ECDSA as raw
// r||s (IEEE P1363), each half left-padded to 32 bytes for P-256.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type AuthContainer, AuthContainerSchema } from '../../gen/auth/auth_pb.js';
import { HashAlgorithm } from '../../gen/evecommon/evecommon_pb.js';
import { EvebootError } from '../errors.js';

/** Signs payload bytes. Implemented by an adapter (the key may be a file, or a TPM in the simulator). */
export interface Signer {
  /** r||s signature over SHA-256(data). */
  sign(data: Uint8Array): Uint8Array;
  algo: HashAlgorithm;
  senderCertHash: Uint8Array;
  /** base64(PEM) of the sender cert, only sent on register. */
  senderCert?: Uint8Array;
}

export function sealEnvelope(payload: Uint8Array, signer: Signer): Uint8Array {
  const container = create(AuthContainerSchema, {
    protectedPayload: { payload },
    algo: signer.algo,
    senderCertHash: signer.senderCertHash,
    signatureHash: signer.sign(payload),
    senderCert: signer.senderCert ?? new Uint8Array(),
  });
  return toBinary(AuthContainerSchema, container);
}

export interface OpenedEnvelope {
  container: AuthContainer;
  payload: Uint8Array;
}

/** Decodes an envelope; any defect is a 400 with the reason, never a crash. */
export function openEnvelope(body: Uint8Array): OpenedEnvelope {
  let container: AuthContainer;
  try {
    container = fromBinary(AuthContainerSchema, body);
  } catch (e) {
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `body is not an AuthContainer: ${(e as Error).message}`);
  }
  const payload = container.protectedPayload?.payload;
  if (!payload) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'AuthContainer has no protectedPayload');
  const n = container.senderCertHash.length;
  const want = container.algo === HashAlgorithm.SHA256_16BYTES ? 16 : 32;
  if (n !== want) {
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `senderCertHash is ${n} bytes, algo says ${want}`);
  }
  if (container.signatureHash.length === 0) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'no signature');
  return { container, payload };
}

/** Verifies r||s (EVE's form) or, as adam also accepts, an ASN.1 DER signature. */
export function verifySignature(payload: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  try {
    if (signature.length === 64) return cryptoVerify('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return cryptoVerify('sha256', payload, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** Decodes a protobuf payload, mapping failures to a 400. */
export function decodeOr400<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `payload is not a valid ${what}: ${(e as Error).message}`);
  }
}
