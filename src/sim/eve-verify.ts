// How EVE checks what the controller sends (controllerconn/authen.go, eve-api-facts §3.3, §3.4): /certs must
// hold only types 1-3, exactly one signing cert and at least one ECDH cert, each chaining to the CONFIG root
// with serverAuth; every other signed reply must name the signing cert by its hash and verify with it.
import { createHash, X509Certificate } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { verifySignature } from '../core/eve/envelope.js';
import { AuthContainerSchema } from '../gen/auth/auth_pb.js';
import { ZCertType, ZControllerCertSchema } from '../gen/certs/certs_pb.js';
import { HashAlgorithm } from '../gen/evecommon/evecommon_pb.js';

export interface ControllerTrust {
  signingPem: Buffer;
  /** hex(certHash) → PEM bytes, as EVE stores controller certs (lookup key for cipher contexts). */
  byHash: Map<string, Buffer>;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

export function verifyCerts(body: Buffer, rootPem: string, now = new Date()): ControllerTrust {
  const container = fromBinary(AuthContainerSchema, body);
  const certs = fromBinary(ZControllerCertSchema, container.protectedPayload?.payload ?? new Uint8Array()).certs;
  const root = new X509Certificate(rootPem);
  const byHash = new Map<string, Buffer>();
  let signing: Buffer | undefined;
  let ecdh = 0;
  for (const c of certs) {
    if (![1, 2, 3].includes(c.type)) throw new Error(`/certs holds a cert of type ${c.type}: whole answer rejected`);
    const pem = Buffer.from(c.cert);
    byHash.set(Buffer.from(c.certHash).toString('hex'), pem);
    if (c.type === ZCertType.CERT_TYPE_CONTROLLER_INTERMEDIATE) continue;
    const x = new X509Certificate(pem);
    if (!x.checkIssued(root) || !x.verify(root.publicKey))
      throw new Error('controller cert does not chain to the CONFIG root');
    if (now < new Date(x.validFrom) || now > new Date(x.validTo)) throw new Error('controller cert is not valid now');
    if (x.keyUsage && !x.keyUsage.includes(SERVER_AUTH)) throw new Error('controller cert lacks serverAuth EKU');
    if (c.type === ZCertType.CERT_TYPE_CONTROLLER_SIGNING) {
      if (signing) throw new Error('/certs holds more than one signing cert');
      signing = pem;
    } else ecdh++;
  }
  if (!signing) throw new Error('/certs holds no signing cert');
  if (ecdh === 0) throw new Error('/certs holds no ECDH cert (EVE requires one)');
  return { signingPem: signing, byHash };
}

/** Unwraps a signed reply and verifies it against the signing cert from /certs. */
export function verifySigned(body: Buffer, trust: ControllerTrust): Uint8Array {
  const c = fromBinary(AuthContainerSchema, body);
  const payload = c.protectedPayload?.payload;
  if (!payload) throw new Error('signed reply has no payload');
  const full = createHash('sha256').update(trust.signingPem).digest();
  const want = c.algo === HashAlgorithm.SHA256_16BYTES ? full.subarray(0, 16) : full;
  if (!want.equals(Buffer.from(c.senderCertHash)))
    throw new Error('senderCertHash does not name our signing cert (CertMiss)');
  if (!verifySignature(payload, c.signatureHash, new X509Certificate(trust.signingPem).publicKey)) {
    throw new Error('controller signature does not verify');
  }
  return payload;
}
