// The /certs answer: our signing cert (type 1) and ECDH cert (type 3), both chained to the root that goes in
// each node's /config/root-certificate.pem. EVE rejects the whole answer without an ECDH cert (§3.4).
import { create, toBinary } from '@bufbuild/protobuf';
import { ZCertType, ZControllerCertSchema } from '../../gen/certs/certs_pb.js';
import { HashAlgorithm } from '../../gen/evecommon/evecommon_pb.js';
import { controllerCertHash, servedPem } from './hashes.js';

export function controllerCerts(signingPem: string, ecdhPem: string): Uint8Array {
  const zcert = (pem: string, type: ZCertType) => ({
    hashAlgo: HashAlgorithm.SHA256_16BYTES,
    certHash: controllerCertHash(pem),
    type,
    cert: new TextEncoder().encode(servedPem(pem)),
  });
  return toBinary(
    ZControllerCertSchema,
    create(ZControllerCertSchema, {
      certs: [
        zcert(signingPem, ZCertType.CERT_TYPE_CONTROLLER_SIGNING),
        zcert(ecdhPem, ZCertType.CERT_TYPE_CONTROLLER_ECDH_EXCHANGE),
      ],
    }),
  );
}
