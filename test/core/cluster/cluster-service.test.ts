// The cluster service on fakes (cluster-bench.ts): the token minted once, when planning goes ahead (the triggers
// of core/plan/evidence.ts read from the store), the seal cache, the plan kept once made, and the rules for moving
// the seed (operator overrides before configs go out, reassignment after).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conflict } from '../../../src/core/boot/claims.js';
import { reassignSeed } from '../../../src/core/plan/seed-reassign.js';
import { openSealed } from '../../../src/core/seal/seal.js';
import { EdgeDevConfigSchema } from '../../../src/gen/config/devconfig_pb.js';
import { CipherContextSchema } from '../../../src/gen/evecommon/acipherinfo_pb.js';
import type { DeviceRecord } from '../../../src/ports/store.js';
import { failingOnCall, memoryStore } from '../../support/memory-store.js';
import {
  CLUSTER,
  type ClusterBench,
  clusterBench,
  controllerEcdh,
  type EcdhIdentity,
  ecdhIdentity,
  type NodeOptions,
  onboard,
  spec,
} from './cluster-bench.js';

const ctrl = controllerEcdh();
let ecdh: EcdhIdentity[];

beforeAll(async () => {
  ecdh = await Promise.all([ecdhIdentity(), ecdhIdentity(), ecdhIdentity()]);
});

/** Three nodes with every piece of evidence, except what `over` changes per node. */
function three(t: ClusterBench, over: (i: number) => NodeOptions = () => ({})): DeviceRecord[] {
  return [1, 2, 3].map((i) => onboard(t, i, { ecdh: ecdh[i - 1], ...over(i) }));
}

const conflict = (reason: string): Conflict => ({
  kind: 'serial-cert',
  subject: 'SN-2',
  claimants: [
    { serial: 'SN-2', firstSeen: 1 },
    { serial: 'SN-2', firstSeen: 2 },
  ],
  raisedAt: 2,
  reason,
});

const types = (t: ClusterBench) => t.events.map((e) => e.type);
const sealedCount = (t: ClusterBench) => t.store.devices().filter((d) => d.sealed).length;

describe('ensure', () => {
  it('mints the token once, through the secret box; a restarted service keeps id and token', () => {
    const t = clusterBench(ctrl);
    const first = t.store.cluster(CLUSTER)!;
    expect(first.tokenCiphertext).toMatch(/^sealed:.{20,}/);
    expect(t.service.openToken(CLUSTER)).toBe(first.tokenCiphertext.slice('sealed:'.length));
    const again = clusterBench(ctrl, t.specs, t.store, t.clock);
    expect(again.store.cluster(CLUSTER)).toEqual(first);
    expect([types(t), types(again)]).toEqual([['cluster.created'], []]);
  });
});

describe('planning triggers', () => {
  const cases: {
    name: string;
    nodes: (t: ClusterBench) => void;
    /** Time between a first plan() call and the one checked. */
    laterMs?: number;
    want: { planned: boolean; status: string; sealed: number; missing?: number };
  }[] = [
    {
      name: 'two of three nodes: it waits for the third',
      nodes: (t) => {
        onboard(t, 1, { ecdh: ecdh[0] });
        onboard(t, 2, { ecdh: ecdh[1] });
      },
      want: { planned: false, status: 'waiting for nodes: 2 of 3 have onboarded', sealed: 0 },
    },
    {
      name: 'a node without its TPM ECDH cert counts as not there yet',
      nodes: (t) => three(t, (i) => (i === 3 ? { ecdh: undefined } : {})),
      want: {
        planned: false,
        status: 'waiting for nodes: 2 of 3 have onboarded and sent their TPM ECDH cert',
        sealed: 0,
      },
    },
    {
      name: 'a node that has not reported its ports holds planning',
      nodes: (t) => three(t, (i) => ({ ports: i !== 2 })),
      want: { planned: false, status: 'waiting for node-2 to report its ports (systemAdapter)', sealed: 0 },
    },
    {
      name: 'a node without ZInfoHardware holds planning inside the grace period',
      nodes: (t) => three(t, (i) => ({ hardware: i !== 1 })),
      laterMs: 299_000,
      want: { planned: false, status: 'waiting for node-1 to send ZInfoHardware', sealed: 0 },
    },
    {
      name: 'once the grace period is over it plans without the hardware and says what was missing',
      nodes: (t) => three(t, (i) => ({ hardware: i !== 1 })),
      laterMs: 301_000,
      want: { planned: true, status: 'node-1: lowest serial', sealed: 3, missing: 1 },
    },
    {
      name: 'with all evidence in, it plans and seals for all three at once',
      nodes: (t) => three(t),
      want: { planned: true, status: 'node-1: lowest serial', sealed: 3, missing: 0 },
    },
    {
      name: 'a node held by an open conflict is planned, but nothing is sealed for it',
      nodes: (t) => three(t, (i) => (i === 2 ? { record: { hold: conflict('second claimant') } } : {})),
      want: { planned: true, status: 'node-1: lowest serial', sealed: 2, missing: 0 },
    },
    {
      name: 'a node whose boot MAC EVE has not confirmed yet gets nothing sealed',
      nodes: (t) => three(t, (i) => (i === 3 ? { record: { bootMac: '52:54:00:de:03:00' } } : {})),
      want: { planned: true, status: 'node-1: lowest serial', sealed: 2, missing: 0 },
    },
  ];
  it.each(cases)('$name', ({ nodes, laterMs, want }) => {
    const t = clusterBench(ctrl);
    nodes(t);
    if (laterMs !== undefined) {
      t.service.plan(CLUSTER);
      t.clock.advance(laterMs);
    }
    const plan = t.service.plan(CLUSTER);
    const c = t.store.cluster(CLUSTER)!;
    expect(plan !== undefined).toBe(want.planned);
    expect(c.planStatus).toContain(want.status);
    expect(c.plan === '').toBe(!want.planned);
    expect(sealedCount(t)).toBe(want.sealed);
    if (want.missing !== undefined) expect(plan?.missingEvidence).toHaveLength(want.missing);
    const sealedEvents = types(t).filter((x) => x === 'cluster.token.sealed');
    expect([types(t).includes('cluster.planned'), sealedEvents.length]).toEqual([want.planned, want.sealed]);
  });

  it('a write that fails while sealing rolls the whole plan back; the next attempt plans and seals', () => {
    const inner = memoryStore();
    const t = clusterBench(ctrl, [spec()], failingOnCall(inner, 'updateDevice', 2));
    three(t);
    expect(() => t.service.plan(CLUSTER)).toThrow(/updateDevice failed/);
    expect([inner.cluster(CLUSTER)?.plan, sealedCount(t)]).toEqual(['', 0]);
    expect(t.service.plan(CLUSTER)).toBeDefined();
    expect(sealedCount(t)).toBe(3);
  });

  it('says a waiting status once, however often it is asked', () => {
    const t = clusterBench(ctrl);
    onboard(t, 1, { ecdh: ecdh[0] });
    for (let k = 0; k < 3; k++) t.service.plan(CLUSTER);
    onboard(t, 2, { ecdh: ecdh[1] });
    t.service.plan(CLUSTER);
    expect(types(t).filter((x) => x === 'cluster.plan.status')).toHaveLength(2);
  });
});

describe('the seal cache', () => {
  const planned = () => {
    const t = clusterBench(ctrl);
    const devices = three(t);
    t.service.plan(CLUSTER);
    return { t, devices, cur: (i: number) => t.store.deviceByUuid(devices[i - 1]!.uuid)! };
  };

  it('seals once per ECDH cert: configs repeat byte for byte, and the device opens the minted token', async () => {
    const { t, cur } = planned();
    const cfg = () => toBinary(EdgeDevConfigSchema, t.service.configFor(cur(1)));
    const first = cfg();
    expect(cfg()).toEqual(first);
    expect(types(t).filter((x) => x === 'cluster.token.sealed')).toHaveLength(3);
    const c = t.service.configFor(cur(1));
    const block = c.cluster!.encryptedClusterToken!;
    const context = c.cipherContexts.find((x) => x.contextId === block.cipherContextId)!;
    const shared = await ecdh[0]!.tpm.ecdhZGen(ctrl.point);
    expect(openSealed(context, block, shared)).toBe(t.service.openToken(CLUSTER));
  });

  it('seals again for a new ECDH cert (a re-attested TPM)', () => {
    const { t, cur } = planned();
    const before = cur(1).sealed!;
    t.store.updateDevice(cur(1).uuid, { ecdhCertPem: ecdh[2]!.pem, ecdhCertHash: ecdh[2]!.hash });
    t.service.configFor(cur(1));
    expect(cur(1).sealed).toMatchObject({ ecdhCertHash: ecdh[2]!.hash });
    expect(cur(1).sealed!.block).not.toBe(before.block);
  });

  it('seals again a block whose context id has a "/": EVE’s pubsub drops such a key and never decrypts it', () => {
    const { t, cur } = planned();
    const sealed = cur(1).sealed!;
    const ctx = fromBinary(CipherContextSchema, Buffer.from(sealed.context, 'base64'));
    const old = create(CipherContextSchema, { ...ctx, contextId: `${ctx.contextId}/old` });
    const oldContext = Buffer.from(toBinary(CipherContextSchema, old)).toString('base64');
    t.store.updateDevice(cur(1).uuid, { sealed: { ...sealed, context: oldContext } });
    const c = t.service.configFor(cur(1));
    expect(c.cluster!.encryptedClusterToken!.cipherContextId).toBe(ctx.contextId);
    expect(cur(1).sealed!.context).not.toBe(oldContext);
  });

  it('a device that holds its token keeps it when a conflict opens later', () => {
    const { t, cur } = planned();
    t.store.updateDevice(cur(2).uuid, {
      hold: conflict('late claimant'),
    });
    expect(t.service.configFor(cur(2)).cluster?.encryptedClusterToken).toBeDefined();
  });
});

describe('the seed, once planned', () => {
  const planned = (specs = [spec()]) => {
    const t = clusterBench(ctrl, specs);
    const devices = three(t);
    return { t, devices, plan: t.service.plan(CLUSTER)! };
  };

  it('keeps a stored plan when better hardware shows up later', () => {
    const { t, devices, plan } = planned();
    for (const d of devices) t.store.addReport({ uuid: d.uuid, kind: 'info.ZiHardware', at: 1, bytes: 0, json: '{}' });
    expect(t.service.plan(CLUSTER)).toEqual(plan);
  });

  it('moves the seed on reassignment: every config follows, and a restarted service keeps it', () => {
    const { t, devices, plan } = planned();
    const moved = reassignSeed(plan, plan.seedUuid, false);
    if (moved.kind !== 'ok') throw new Error(moved.reason);
    t.service.replan(CLUSTER, moved.plan);
    const restarted = clusterBench(ctrl, t.specs, t.store, t.clock);
    expect(restarted.service.plan(CLUSTER)?.seedUuid).toBe(devices[1]!.uuid);
    const joinIps = devices.map(
      (d) => restarted.service.configFor(t.store.deviceByUuid(d.uuid)!).cluster?.joinServerIp,
    );
    expect(joinIps).toEqual(['10.244.244.2', '10.244.244.2', '10.244.244.2']);
  });

  const overrides: {
    name: string;
    configsOut?: boolean;
    input: (devices: DeviceRecord[]) => { seed?: string; interfaces?: Record<string, string> };
    want: { code?: string; seed?: number; ports?: string[] };
  }[] = [
    {
      name: 'a seed override (by serial) before configs go out replans with that seed',
      input: () => ({ seed: 'SN-3' }),
      want: { seed: 3, ports: ['eth1', 'eth1', 'eth1'] },
    },
    {
      name: 'an interface override before configs go out replans on that port',
      input: (ds) => ({ interfaces: { [ds[0]!.uuid]: 'eth0' } }),
      want: { seed: 1, ports: ['eth0', 'eth0', 'eth0'] },
    },
    {
      name: 'once a node got its cluster config, overrides are closed',
      configsOut: true,
      input: () => ({ seed: 'SN-3' }),
      want: { code: 'EVEBOOT_ERR_CONFLICT', seed: 1 },
    },
    {
      name: 'a seed that is not a node of the cluster is refused',
      input: () => ({ seed: 'SN-9' }),
      want: { code: 'EVEBOOT_ERR_NOT_FOUND', seed: 1 },
    },
    {
      name: 'an interface for a device outside the cluster is refused',
      input: () => ({ interfaces: { 'no-such-uuid': 'eth0' } }),
      want: { code: 'EVEBOOT_ERR_NOT_FOUND', seed: 1 },
    },
  ];
  it.each(overrides)('$name', ({ configsOut, input, want }) => {
    const { t, devices } = planned();
    if (configsOut) t.service.configFor(devices[0]!);
    let code: string | undefined;
    try {
      t.service.setOverrides(CLUSTER, input(devices), 'operator');
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe(want.code);
    const plan = t.service.plan(CLUSTER)!;
    expect(plan.seedUuid).toBe(devices[(want.seed ?? 1) - 1]!.uuid);
    if (want.ports) expect(plan.nodes.map((n) => n.interfaceLabel)).toEqual(want.ports);
    expect(types(t).includes('operator.override')).toBe(code === undefined);
  });
});

describe('clusterForUnlisted', () => {
  const listed = (n: number) => spec({ nodes: spec().nodes.slice(0, n) });
  const cases: { name: string; specs: ReturnType<typeof spec>[]; unlistedIn?: number; want: string }[] = [
    { name: 'three listed nodes leave no place', specs: [listed(3)], want: '' },
    { name: 'two listed nodes leave one place', specs: [listed(2)], want: CLUSTER },
    { name: 'the place is gone once an unlisted device took it', specs: [listed(2)], unlistedIn: 1, want: '' },
    {
      name: 'with two clusters the operator assigns',
      specs: [listed(1), spec({ name: 'line-2', nodes: [] })],
      want: '',
    },
  ];
  it.each(cases)('$name', ({ specs, unlistedIn, want }) => {
    const t = clusterBench(ctrl, specs);
    for (let k = 0; k < (unlistedIn ?? 0); k++) onboard(t, 7 + k, { record: { serial: `SPARE-${k}` } });
    expect(t.service.clusterForUnlisted()).toBe(want);
  });
});
