// eveboot token seal: offline sealing for a factory line. Seals this appliance's cluster token to a device ECDH
// cert (PEM file as EVE keeps it) and prints the CipherContext and CipherBlock as JSON, bytes in base64.
// --out writes them as a binary EdgeDevConfig fragment (cipherContexts + cluster.encrypted_cluster_token).
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { openStore } from '../adapters/open-store.js';
import { openSecretBox } from '../adapters/secret-box.js';
import { controllerCertHash, edgeNodeCertHash } from '../core/eve/hashes.js';
import { cipherContextId } from '../core/seal/context-id.js';
import { ecdhPublicPoint } from '../core/seal/ecdh-point.js';
import { sealedToJson, sealToken } from '../core/seal/seal.js';
import { EdgeDevConfigSchema } from '../gen/config/devconfig_pb.js';
import { parse, required, UsageError } from './args.js';
import { pkiFor } from './pki.js';

const USAGE = `usage: eveboot token seal --device-ecdh-cert FILE --state DIR [--cluster NAME] [--out FILE.pb] [--state-url URL]
  --device-ecdh-cert FILE  the device's TPM ECDH certificate (PEM), as EVE uploads it in attestation
  --state DIR     state directory with the PKI and keys/state.key (required)
  --cluster NAME  the cluster whose join token to seal (default: the only cluster in the state)
  --out FILE.pb   also write the CipherContext and sealed token as a binary EdgeDevConfig fragment
  --state-url URL read a shared PostgreSQL state instead of SQLite in --state`;

export async function tokenCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const opts = {
    'device-ecdh-cert': { type: 'string' as const },
    state: { type: 'string' as const },
    out: { type: 'string' as const },
    cluster: { type: 'string' as const },
    'state-url': { type: 'string' as const },
  };
  const { values, positionals } = parse(argv, opts, USAGE);
  if (positionals[0] !== 'seal') throw new UsageError(USAGE);
  const state = required(values.state, 'state', USAGE);
  const certBytes = readFileSync(required(values['device-ecdh-cert'], 'device-ecdh-cert', USAGE));
  const pki = await pkiFor(state, 'eveboot', (s) => process.stderr.write(`${s}\n`));
  const store = openStore(values['state-url'] ?? join(state, 'eveboot.db'));
  try {
    const all = store.clusters();
    const cluster = values.cluster ? store.cluster(values.cluster) : all.length === 1 ? all[0] : undefined;
    if (!cluster) {
      throw new UsageError(
        all.length === 0
          ? `no cluster in ${state}: run eveboot serve once with the site file first`
          : `name the cluster with --cluster (one of ${all.map((c) => c.name).join(', ')})`,
      );
    }
    const token = openSecretBox(join(state, 'keys', 'state.key')).open(cluster.tokenCiphertext);
    const jwk = pki.ecdh.key.export({ format: 'jwk' });
    const deviceCertHash = edgeNodeCertHash(certBytes);
    const sealed = sealToken({
      controllerPrivate: Buffer.from(jwk.d ?? '', 'base64url'),
      devicePublic: ecdhPublicPoint(certBytes.toString('latin1')),
      deviceCertHash,
      controllerCertHash: controllerCertHash(pki.ecdh.certPem),
      token,
      iv: randomBytes(16),
      contextId: cipherContextId(cluster.id, `offline-${Buffer.from(deviceCertHash).toString('hex')}`),
    });
    out(JSON.stringify({ clusterId: cluster.id, ...sealedToJson(sealed) }, null, 2));
    if (values.out) {
      const fragment = create(EdgeDevConfigSchema, {
        cipherContexts: [sealed.context],
        cluster: { clusterId: cluster.id, clusterName: cluster.name, encryptedClusterToken: sealed.block },
      });
      writeFileSync(values.out, toBinary(EdgeDevConfigSchema, fragment));
    }
    return 0;
  } finally {
    store.close();
  }
}
