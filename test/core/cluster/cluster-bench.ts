// A ClusterService on fakes (memory store, stepped clock, counting randomness, tagging secret box) and onboarded
// nodes written straight into the store as the controller would leave them: device record with the TPM ECDH
// cert, EVE's ZInfoDevice and ZInfoHardware reports, and the simulator's cabling as NIC sightings.
import { generateKeyPairSync } from 'node:crypto';
import { toJsonString } from '@bufbuild/protobuf';
import { createSoftTpm } from '../../../src/adapters/soft-tpm.js';
import type { ClusterSpec } from '../../../src/config/site.js';
import { type ClusterDeps, ClusterService } from '../../../src/core/cluster/cluster-service.js';
import { edgeNodeCertHash, hex } from '../../../src/core/eve/hashes.js';
import { ZInfoMsgSchema } from '../../../src/gen/info/info_pb.js';
import type { DeviceRecord, Store } from '../../../src/ports/store.js';
import type { Tpm } from '../../../src/ports/tpm.js';
import { createDeviceIdentity } from '../../../src/sim/device-identity.js';
import { deviceInfo, hardwareInfo, standardNics, topology } from '../../../src/sim/sim-info.js';
import { countingRandom, type SteppedClock, steppedClock, taggingSecretBox } from '../../support/core-fakes.js';
import { memoryStore } from '../../support/memory-store.js';

export const CLUSTER = 'line-1';

/** Three listed nodes SN-1..SN-3, node-1..node-3. */
export const spec = (over: Partial<ClusterSpec> = {}): ClusterSpec => ({
  name: CLUSTER,
  prefix: '10.244.244.0/28',
  seedTimeoutSeconds: 3600,
  nodes: [1, 2, 3].map((i) => ({ serial: `SN-${i}`, name: `node-${i}` })),
  ...over,
});

/** The controller's ECDH key: the private scalar for the service, the public point for devices to open with. */
export function controllerEcdh(): { d: Uint8Array; point: Uint8Array } {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' });
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
  return {
    d: new Uint8Array(b(jwk.d)),
    point: new Uint8Array(Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)])),
  };
}

/** A TPM and the ECDH cert EVE uploads for it (its hash as attest stores it). */
export interface EcdhIdentity {
  tpm: Tpm;
  pem: string;
  hash: string;
}

export async function ecdhIdentity(): Promise<EcdhIdentity> {
  const tpm = createSoftTpm();
  const pem = (await createDeviceIdentity(tpm)).ecdhCertPem;
  return { tpm, pem, hash: hex(edgeNodeCertHash(Buffer.from(pem))) };
}

export type ClusterEvent = Parameters<ClusterDeps['emit']>[0];

export interface ClusterBench {
  service: ClusterService;
  store: Store;
  clock: SteppedClock;
  events: ClusterEvent[];
  specs: ClusterSpec[];
}

export function clusterBench(
  ecdh: { d: Uint8Array },
  specs: ClusterSpec[] = [spec()],
  store: Store = memoryStore(),
  clock: SteppedClock = steppedClock(),
): ClusterBench {
  const events: ClusterEvent[] = [];
  const service = new ClusterService({
    store,
    random: countingRandom(),
    clock,
    secrets: taggingSecretBox,
    ecdhPrivate: ecdh.d,
    ecdhCertHash: new Uint8Array(16).fill(7),
    certsHash: 'certs-hash',
    settings: () => ({ specs, applianceSubnets: ['192.168.77.0/24'] }),
    emit: (e) => events.push(e),
  });
  service.ensureAll();
  return { service, store, clock, events, specs };
}

export interface NodeOptions {
  /** The TPM ECDH cert it uploaded (absent: not yet). */
  ecdh?: EcdhIdentity;
  /** ZInfoDevice with its ports (default: sent). */
  ports?: boolean;
  /** ZInfoHardware (default: sent). */
  hardware?: boolean;
  record?: Partial<DeviceRecord>;
}

/** Node i (1..3) of the standard cabling, onboarded: returns its device record as stored. */
export function onboard(t: ClusterBench, i: number, o: NodeOptions = {}): DeviceRecord {
  const nics = standardNics(i);
  const ecdh = o.ecdh;
  const d: DeviceRecord = {
    uuid: `00000000-0000-4000-9000-00000000000${i}`,
    serial: `SN-${i}`,
    softSerial: '',
    deviceCertPem: `pem-${i}`,
    deviceCertHash: `hash-${i}`,
    name: `node-${i}`,
    cluster: CLUSTER,
    onboardedAt: t.clock.now(),
    ...(ecdh ? { ecdhCertPem: ecdh.pem, ecdhCertHash: ecdh.hash } : {}),
    ...o.record,
  };
  t.store.insertDevice(d);
  const report = (kind: string, json: string) =>
    t.store.addReport({ uuid: d.uuid, kind, at: t.clock.now(), bytes: json.length, json });
  if (o.ports !== false) report('info.ZiDevice', toJsonString(ZInfoMsgSchema, deviceInfo(d.serial, nics, '', 0)));
  if (o.hardware !== false) report('info.ZiHardware', toJsonString(ZInfoMsgSchema, hardwareInfo(nics)));
  t.service.observe(topology(nics));
  return d;
}
