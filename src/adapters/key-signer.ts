// A Signer over a key file: ECDSA P-256, SHA-256, raw r||s as EVE expects (authen.go).
import { type KeyObject, sign } from 'node:crypto';
import type { Signer } from '../core/eve/envelope.js';
import { HashAlgorithm } from '../gen/evecommon/evecommon_pb.js';

export function keySigner(key: KeyObject, senderCertHash: Uint8Array, senderCert?: Uint8Array): Signer {
  return {
    algo: senderCertHash.length === 16 ? HashAlgorithm.SHA256_16BYTES : HashAlgorithm.SHA256_32BYTES,
    senderCertHash,
    senderCert,
    sign: (data) => new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })),
  };
}
