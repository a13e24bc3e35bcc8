// One cluster per appliance run: mint the join token once (kept encrypted at rest), plan when every expected
// node has onboarded and uploaded its ECDH cert (EVE requires all nodes onboarded before encrypting, §7), seal
// the token per device, and build each node's EdgeDevConfig. Pure over ports: Store, Random, Clock, SecretBox.
import { X509Certificate } from 'node:crypto';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { EdgeDevConfig } from '../../gen/config/devconfig_pb.js';
import { CipherBlockSchema, CipherContextSchema } from '../../gen/evecommon/acipherinfo_pb.js';
import type { Clock, Random } from '../../ports/clock.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type { ClusterRecord, DeviceRecord, Store } from '../../ports/store.js';
import { buildDeviceConfig, type ClusterPart } from '../eve/device-config.js';
import { type SealedToken, sealToken } from '../seal/seal.js';
import { mintToken, TOKEN_BYTES } from '../seal/token.js';
import { type ClusterPlanV0, type PlanInput, planV0 } from './plan-v0.js';

export interface ClusterDeps {
  store: Store;
  random: Random;
  clock: Clock;
  secrets: SecretBox;
  /** Controller ECDH private scalar (32 bytes) and the certHash we publish for its cert in /certs. */
  ecdhPrivate: Uint8Array;
  ecdhCertHash: Uint8Array;
  certsHash: string;
  planInput: () => Omit<PlanInput, 'devices'>;
  emit: (e: { type: string; node?: string; data: Record<string, unknown> }) => void;
}

export class ClusterService {
  constructor(private readonly deps: ClusterDeps) {}

  /** Creates the cluster record and its token on first start; a restart finds and keeps both. */
  ensure(name: string): ClusterRecord {
    const { store, random, clock, secrets } = this.deps;
    return store.tx(() => {
      const existing = store.cluster();
      if (existing) return existing;
      const c: ClusterRecord = {
        id: random.uuid(),
        name,
        tokenCiphertext: secrets.seal(mintToken(random.bytes(TOKEN_BYTES))),
        plan: '',
        state: 'waiting-for-nodes',
        updatedAt: clock.now(),
      };
      store.putCluster(c);
      this.deps.emit({ type: 'cluster.created', data: { id: c.id, name } });
      return c;
    });
  }

  /** The plan, made once all expected nodes are ready for it and then kept. */
  plan(): ClusterPlanV0 | undefined {
    const c = this.deps.store.cluster();
    if (!c) return undefined;
    if (c.plan) return JSON.parse(c.plan) as ClusterPlanV0;
    const result = planV0({ ...this.deps.planInput(), devices: this.deps.store.devices() });
    if (result.kind !== 'ok') return undefined;
    this.deps.store.putCluster({
      ...c,
      plan: JSON.stringify(result.plan),
      state: 'planned',
      updatedAt: this.deps.clock.now(),
    });
    this.deps.emit({ type: 'cluster.planned', data: { seed: result.plan.seedUuid, nodes: result.plan.nodes.length } });
    return result.plan;
  }

  configFor(device: DeviceRecord): EdgeDevConfig {
    const plan = this.plan();
    const node = plan?.nodes.find((n) => n.uuid === device.uuid);
    let cluster: ClusterPart | undefined;
    if (plan && node && device.ecdhCertPem && device.ecdhCertHash) {
      cluster = {
        id: plan.clusterId,
        name: plan.name,
        interfaceLabel: node.interfaceLabel,
        ipPrefix: node.ipPrefix,
        joinServerIp: plan.joinServerIp,
        sealed: this.sealedFor(device),
        masterNodeUuids: plan.nodes.map((n) => n.uuid),
      };
    }
    return buildDeviceConfig({
      uuid: device.uuid,
      name: device.name,
      certsHash: this.deps.certsHash,
      version: cluster ? '2' : '1',
      cluster,
    });
  }

  /** Seals once per device ECDH cert and keeps the block, so the config (and its hash) stay stable. */
  private sealedFor(device: DeviceRecord): SealedToken {
    const { store, random, secrets } = this.deps;
    const cached = device.sealed;
    if (cached && cached.ecdhCertHash === device.ecdhCertHash) {
      return {
        context: fromBinary(CipherContextSchema, Buffer.from(cached.context, 'base64')),
        block: fromBinary(CipherBlockSchema, Buffer.from(cached.block, 'base64')),
      };
    }
    const c = store.cluster();
    if (!c || !device.ecdhCertPem || !device.ecdhCertHash) throw new Error('cannot seal before the ECDH cert arrives');
    const sealed = sealToken({
      controllerPrivate: this.deps.ecdhPrivate,
      devicePublic: ecdhPublicPoint(device.ecdhCertPem),
      deviceCertHash: Buffer.from(device.ecdhCertHash, 'hex'),
      controllerCertHash: this.deps.ecdhCertHash,
      token: secrets.open(c.tokenCiphertext),
      iv: random.bytes(16),
      contextId: `${c.id}/${device.uuid}`,
    });
    store.updateDevice(device.uuid, {
      sealed: {
        ecdhCertHash: device.ecdhCertHash,
        context: Buffer.from(toBinary(CipherContextSchema, sealed.context)).toString('base64'),
        block: Buffer.from(toBinary(CipherBlockSchema, sealed.block)).toString('base64'),
      },
    });
    this.deps.emit({ type: 'cluster.token.sealed', node: device.uuid, data: { ecdhCertHash: device.ecdhCertHash } });
    return sealed;
  }
}

/** The 65-byte public point 0x04||X||Y of a P-256 cert. */
export function ecdhPublicPoint(pem: string): Uint8Array {
  const jwk = new X509Certificate(pem).publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('ECDH cert does not carry a P-256 key');
  return new Uint8Array(
    Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]),
  );
}
