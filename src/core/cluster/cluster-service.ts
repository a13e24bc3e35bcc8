// One cluster per appliance run: mint the join token once (kept encrypted at rest), plan when every expected
// node has onboarded and uploaded its ECDH cert (EVE requires all nodes onboarded before encrypting, §7), seal
// the token per device, and build each node's EdgeDevConfig. Pure over ports: Store, Random, Clock, SecretBox.
// It emits what it did; the displayed state (ClusterRecord.state) is derived by adapters/event-log.ts.

import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { ClusterSpec } from '../../config/site.js';
import type { EdgeDevConfig } from '../../gen/config/devconfig_pb.js';
import { CipherBlockSchema, CipherContextSchema } from '../../gen/evecommon/acipherinfo_pb.js';
import type { Clock, Random } from '../../ports/clock.js';
import type { Emit } from '../../ports/events.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type {
  Atomic,
  ClusterRecord,
  ClusterStore,
  DeviceRecord,
  DeviceStore,
  NicObservationStore,
  ReportStore,
} from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import { buildDeviceConfig, type ClusterPart } from '../eve/device-config.js';
import { CLUSTER_SIZE, type ClusterPlan, planCluster } from '../plan/cluster-plan.js';
import { DEFAULT_HARDWARE_GRACE_MS, nodeNics, planTrigger } from '../plan/evidence.js';
import type { NicObservation } from '../plan/inventory.js';
import { buildPortModel } from '../plan/port-model.js';
import { cipherContextId } from '../seal/context-id.js';
import { ecdhPublicPoint } from '../seal/ecdh-point.js';
import { type SealedToken, sealToken } from '../seal/seal.js';
import { mintToken, TOKEN_BYTES } from '../seal/token.js';
import type { ImageCatalog, ImageEndpoints } from '../workloads/model.js';
import { WorkloadObjectMemo } from '../workloads/object-memo.js';
import { nodeInventories, observationKey, planEvidence } from './inventory-input.js';
import { type MovedApp, moveWorkloadApp, type WorkloadsView, workloadsView } from './workload-api.js';
import { deployWorkloads, type WorkloadDeps } from './workload-deploy.js';

export interface PlanSettings {
  /** The clusters of the site file or line manifest. */
  specs: ClusterSpec[];
  applianceSubnets: string[];
}

/** Clusters and devices, plus what planning reads: EVE reports and NIC sightings. */
export type ClusterServiceStore = ClusterStore & DeviceStore & ReportStore & NicObservationStore & Atomic;

export interface ClusterDeps {
  store: ClusterServiceStore;
  random: Random;
  clock: Clock;
  secrets: SecretBox;
  /** Controller ECDH private scalar (32 bytes) and the certHash we publish for its cert in /certs. */
  ecdhPrivate: Uint8Array;
  ecdhCertHash: Uint8Array;
  certsHash: string;
  settings: () => PlanSettings;
  /** Why a device may not get its token yet (an open conflict, an unverified boot MAC), or undefined. */
  held?: (d: DeviceRecord) => string | undefined;
  /** The imported images and where the nodes fetch them (issue #13); absent: apps are held. */
  images?: () => ImageCatalog | undefined;
  imageEndpoints?: () => ImageEndpoints | undefined;
  emit: Emit;
}

export class ClusterService {
  private readonly memo = new WorkloadObjectMemo();
  constructor(private readonly deps: ClusterDeps) {}

  /** Creates each cluster's record and token on first sight; a restart finds and keeps both. */
  ensureAll(): void {
    for (const spec of this.deps.settings().specs) this.ensure(spec.name);
  }

  ensure(name: string): ClusterRecord {
    const { store, random, clock, secrets } = this.deps;
    return store.tx(() => {
      const existing = store.cluster(name);
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

  /**
   * Operator overrides of the seed and cluster interfaces, accepted only before any node got its cluster
   * config (afterwards a change would split the cluster). A plan made earlier is dropped and made again.
   */
  setOverrides(name: string, o: { seed?: string; interfaces?: Record<string, string> }, by: string): void {
    const { store, clock } = this.deps;
    store.tx(() => {
      const c = store.cluster(name);
      if (!c) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
      if (c.configsOut) {
        throw new EvebootError(
          'EVEBOOT_ERR_CONFLICT',
          `cluster ${name}: configs already went out to the nodes; overrides are closed`,
        );
      }
      const devices = store.devices().filter((d) => d.cluster === name);
      const spec = this.spec(name);
      const known = [
        ...devices.flatMap((d) => [d.uuid, d.serial, d.softSerial, d.name]),
        ...(spec?.nodes ?? []).flatMap((n) => [n.serial, n.softSerial, n.name]),
      ].filter((x): x is string => !!x);
      if (o.seed !== undefined && !known.includes(o.seed)) {
        throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `seed ${o.seed} is not a node of cluster ${name}`);
      }
      for (const uuid of Object.keys(o.interfaces ?? {})) {
        if (!devices.some((d) => d.uuid === uuid))
          throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no device ${uuid} in cluster ${name}`);
      }
      const overrides = {
        seed: o.seed ?? c.overrides?.seed,
        interfaces: { ...(c.overrides?.interfaces ?? {}), ...(o.interfaces ?? {}) },
      };
      store.putCluster({
        ...c,
        overrides,
        plan: '',
        planStatus: 'replanning with operator overrides',
        updatedAt: clock.now(),
      });
      this.deps.emit({ type: 'operator.override', data: { cluster: name, ...o, by } });
    });
  }

  /** The join token, for the readiness probes' basic auth only. Never log or return it. */
  openToken(name: string): string {
    const c = this.deps.store.cluster(name);
    if (!c) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
    return this.deps.secrets.open(c.tokenCiphertext);
  }

  /** Replaces the plan (seed reassignment): every node's config changes, join_server_ip moves. */
  replan(name: string, plan: ClusterPlan): void {
    const c = this.deps.store.cluster(name);
    if (c) this.deps.store.putCluster({ ...c, plan: JSON.stringify(plan), updatedAt: this.deps.clock.now() });
  }

  /** Records NIC sightings from outside EVE (DHCP, iPXE reports, the simulator's cabling). */
  observe(obs: NicObservation[]): void {
    for (const o of obs) this.deps.store.putNicObservation(observationKey(o), JSON.stringify(o));
  }

  /**
   * The cluster an operator-approved, unlisted device joins: the only cluster, while its listed nodes plus the
   * unlisted devices already in it leave a free place among the three; else none (it stays unassigned).
   */
  clusterForUnlisted(): string {
    const specs = this.deps.settings().specs;
    if (specs.length !== 1) return '';
    const spec = specs[0]!;
    const listed = new Set(spec.nodes.flatMap((n) => [n.serial, n.softSerial]).filter(Boolean));
    const unlisted = this.deps.store
      .devices()
      .filter((d) => d.cluster === spec.name && !listed.has(d.serial) && !listed.has(d.softSerial)).length;
    return spec.nodes.length + unlisted < CLUSTER_SIZE ? spec.name : '';
  }

  spec(name: string): ClusterSpec | undefined {
    return this.deps.settings().specs.find((s) => s.name === name);
  }

  /**
   * The plan, made once the cluster's three nodes have sent their ECDH certs, their ports and their hardware (or
   * the hardware grace period ran out: core/plan/evidence.ts), then kept.
   */
  plan(name: string): ClusterPlan | undefined {
    return this.deps.store.tx(() => this.planLocked(name));
  }

  private planLocked(name: string): ClusterPlan | undefined {
    const { store, clock } = this.deps;
    const c = store.cluster(name);
    const spec = this.spec(name);
    if (!c || !spec) return undefined;
    if (c.plan) return JSON.parse(c.plan) as ClusterPlan;
    const set = this.deps.settings();
    const devices = store.devices().filter((d) => d.cluster === name);
    const evidence = planEvidence(store, devices, spec);
    const trigger = planTrigger(evidence, {
      now: clock.now(),
      since: c.evidenceSince,
      hardwareGraceMs: (spec.hardwareGraceSeconds ?? DEFAULT_HARDWARE_GRACE_MS / 1000) * 1000,
    });
    let status: string;
    if (trigger.kind === 'wait') {
      status = trigger.reason;
    } else {
      const result = planCluster({
        clusterId: c.id,
        name,
        prefix: spec.prefix,
        nodes: nodeNics({ ...evidence, nodes: trigger.nodes }),
        applianceSubnets: set.applianceSubnets,
        seedOverride: c.overrides?.seed ?? spec.seed,
        interfaceOverride: this.interfaceOverride(c, spec, trigger.nodes),
      });
      if (result.kind === 'ok') return this.adopt(c, { ...result.plan, missingEvidence: trigger.missing });
      status = result.kind === 'wait' ? result.reason : `cannot plan the cluster: ${result.message}`;
    }
    const since = trigger.since ?? c.evidenceSince;
    if (c.planStatus !== status || c.evidenceSince !== since) {
      store.putCluster({
        ...c,
        planStatus: status,
        ...(since !== undefined ? { evidenceSince: since } : {}),
        updatedAt: clock.now(),
      });
    }
    if (c.planStatus !== status) this.deps.emit({ type: 'cluster.plan.status', data: { cluster: name, status } });
    return undefined;
  }

  /** Operator override, else the site file's clusterInterface, per node UUID. */
  private interfaceOverride(
    c: ClusterRecord,
    spec: ClusterSpec,
    nodes: { uuid: string; serial: string; softSerial: string }[],
  ) {
    const out: Record<string, string> = {};
    for (const d of nodes) {
      const listed = spec.nodes.find(
        (n) => (n.serial && n.serial === d.serial) || (n.softSerial && n.softSerial === d.softSerial),
      );
      const label = c.overrides?.interfaces?.[d.uuid] ?? listed?.clusterInterface;
      if (label) out[d.uuid] = label;
    }
    return out;
  }

  /** Stores a new plan, says so, and seals for all three in the same transaction: every config is ready at once. */
  private adopt(c: ClusterRecord, plan: ClusterPlan): ClusterPlan {
    const { store, clock } = this.deps;
    store.putCluster({
      ...c,
      plan: JSON.stringify(plan),
      planStatus: plan.seedWhy,
      updatedAt: clock.now(),
    });
    this.deps.emit({
      type: 'cluster.planned',
      data: {
        cluster: c.name,
        id: c.id,
        prefix: plan.prefix,
        seed: plan.seedUuid,
        why: plan.seedWhy,
        nodes: plan.nodes.map(({ uuid, name: n, ip, role }) => ({ uuid, name: n, ip, role })),
        missingEvidence: plan.missingEvidence ?? [],
      },
    });
    for (const n of plan.nodes) {
      const d = store.deviceByUuid(n.uuid);
      if (d?.ecdhCertPem && !this.heldReason(d)) this.sealedForLocked(d);
    }
    return plan;
  }

  configFor(device: DeviceRecord): EdgeDevConfig {
    const plan = device.cluster ? this.plan(device.cluster) : undefined;
    const node = plan?.nodes.find((n) => n.uuid === device.uuid);
    let cluster: ClusterPart | undefined;
    if (plan && node && device.ecdhCertPem && device.ecdhCertHash && !this.heldReason(device)) {
      this.markConfigsOut(device.cluster);
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
    const nics = plan && node ? nodeInventories(this.deps.store, [device])[0]?.nics : undefined;
    // Workloads go only with the cluster config, once the cluster was Ready; the same objects to every node.
    const status = cluster && plan ? this.deployedWorkloads(device.cluster, plan) : undefined;
    return buildDeviceConfig({
      uuid: device.uuid,
      name: node?.name ?? device.name,
      certsHash: this.deps.certsHash,
      version: cluster ? '2' : '1',
      ports:
        plan && node && nics
          ? buildPortModel(nics, node.interfaceLabel, plan.clusterId, this.deps.settings().applianceSubnets)
          : undefined,
      cluster,
      ...(status?.kind === 'deployed' ? { workloads: status.objects } : {}),
    });
  }

  /** Spec, persisted state and UUIDs of a cluster's workloads, and whether they are out (UI, status, report). */
  workloads(name: string): WorkloadsView {
    const c = this.deps.store.cluster(name);
    const spec = this.spec(name);
    if (!c || !spec) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
    const plan = this.plan(name);
    const status = plan ? this.deployedWorkloads(name, plan) : undefined;
    return workloadsView(this.deps.store.cluster(name) ?? c, spec, plan, status);
  }

  /** Another designated node for an app (facts §4.5): CONFLICT if a volume cannot follow, NOT_FOUND if unknown. */
  moveApp(name: string, app: string, toNode: string, by = 'operator'): MovedApp {
    const spec = this.spec(name);
    if (!spec) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
    return moveWorkloadApp(this.workloadDeps(), name, spec, this.plan(name), { app, toNode, by });
  }

  private deployedWorkloads(name: string, plan: ClusterPlan) {
    const c = this.deps.store.cluster(name);
    const spec = this.spec(name);
    return c && spec ? deployWorkloads(this.workloadDeps(), c, spec, plan) : undefined;
  }

  private workloadDeps(): WorkloadDeps {
    const { store, clock, images, imageEndpoints, emit } = this.deps;
    const applianceSubnets = () => this.deps.settings().applianceSubnets;
    return { store, now: () => clock.now(), images, imageEndpoints, applianceSubnets, emit, memo: this.memo };
  }

  /**
   * Nothing is sealed for a held device. A device that already holds its sealed token keeps getting it: a late
   * claimant must not be able to pull a running node out of its cluster.
   */
  private heldReason(d: DeviceRecord): string | undefined {
    const cur = this.deps.store.deviceByUuid(d.uuid) ?? d;
    if (cur.sealed && cur.sealed.ecdhCertHash === cur.ecdhCertHash) return undefined;
    if (cur.hold) return cur.hold.reason;
    if (cur.bootMac && !cur.macVerified) return `waiting for EVE to report its boot MAC ${cur.bootMac}`;
    return this.deps.held?.(cur);
  }

  private markConfigsOut(name: string): void {
    this.deps.store.tx(() => this.markConfigsOutLocked(name));
  }

  private markConfigsOutLocked(name: string): void {
    const c = this.deps.store.cluster(name);
    if (c && !c.configsOut) {
      this.deps.store.putCluster({
        ...c,
        configsOut: true,
        updatedAt: this.deps.clock.now(),
      });
    }
  }

  /** Seals once per device ECDH cert and keeps the block, so the config (and its hash) stay stable. */
  private sealedFor(device: DeviceRecord): SealedToken {
    return this.deps.store.tx(() => this.sealedForLocked(this.deps.store.deviceByUuid(device.uuid) ?? device));
  }

  private sealedForLocked(device: DeviceRecord): SealedToken {
    const { store, random, secrets } = this.deps;
    const c = store.cluster(device.cluster);
    const contextId = c ? cipherContextId(c.id, device.uuid) : '';
    const cached = device.sealed;
    if (cached && cached.ecdhCertHash === device.ecdhCertHash) {
      const sealed = {
        context: fromBinary(CipherContextSchema, Buffer.from(cached.context, 'base64')),
        block: fromBinary(CipherBlockSchema, Buffer.from(cached.block, 'base64')),
      };
      // A block sealed under an older id scheme (with '/') is sealed again: EVE would never decrypt it.
      if (sealed.context.contextId === contextId) return sealed;
    }
    if (!c || !device.ecdhCertPem || !device.ecdhCertHash) throw new Error('cannot seal before the ECDH cert arrives');
    const sealed = sealToken({
      controllerPrivate: this.deps.ecdhPrivate,
      devicePublic: ecdhPublicPoint(device.ecdhCertPem),
      deviceCertHash: Buffer.from(device.ecdhCertHash, 'hex'),
      controllerCertHash: this.deps.ecdhCertHash,
      token: secrets.open(c.tokenCiphertext),
      iv: random.bytes(16),
      contextId,
    });
    store.updateDevice(device.uuid, {
      sealed: {
        ecdhCertHash: device.ecdhCertHash,
        context: Buffer.from(toBinary(CipherContextSchema, sealed.context)).toString('base64'),
        block: Buffer.from(toBinary(CipherBlockSchema, sealed.block)).toString('base64'),
      },
    });
    this.deps.emit({
      type: 'cluster.token.sealed',
      node: device.uuid,
      data: { ecdhCertHash: device.ecdhCertHash, clusterName: device.cluster },
    });
    return sealed;
  }
}
