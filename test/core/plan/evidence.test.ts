// Planning does not depend on arrival order: the evidence is merged as a set, and the planner waits for every
// node's hardware report (link speeds) for a bounded grace period. The fixture makes order matter: each node has
// eth1 (1G) and eth2 (10G) on one cluster switch, so a plan made before the speeds are known picks eth1 (tie-break
// by name) where the full evidence picks eth2 (highest common speed). Two nodes' serials also name-collide.
import { describe, expect, it } from 'vitest';
import { type ClusterPlan, planCluster } from '../../../src/core/plan/cluster-plan.js';
import {
  type NodeEvidence,
  nodeNics,
  type PlanEvidence,
  type PlanTrigger,
  planTrigger,
} from '../../../src/core/plan/evidence.js';
import type { NicObservation } from '../../../src/core/plan/inventory.js';
import { CLUSTER_ID, uuidOf } from './fixtures.js';

const SERIALS = ['A-1', 'RACK_7', 'rack-7'];
const mac = (n: number, port: number) => `02:00:00:00:0${n}:0${port}`;
const GRACE = 300_000;

type Kind = 'register' | 'ecdh' | 'ports' | 'hardware' | 'dhcp' | 'ipxe';
interface Arrival {
  node: number;
  kind: Kind;
  apply(e: PlanEvidence): unknown;
}

function portsOf(n: number): NicObservation[] {
  return [0, 1, 2].map((p) => ({
    source: 'eve-port',
    mac: mac(n, p),
    ifname: `eth${p}`,
    label: `eth${p}`,
    up: true,
    // Last-resort config: every port is management; only eth0 got an address (eve-api-facts §4.3).
    isMgmt: true,
    ipv4: p === 0 ? [`192.168.1.1${n}`] : [],
    ...(p === 0 ? { subnet: '192.168.1.0/24' } : {}),
  }));
}

function hardwareOf(n: number): NicObservation[] {
  return [1000, 1000, 10_000].map((speedMbps, p) => ({
    source: 'eve-hw',
    mac: mac(n, p),
    ifname: `eth${p}`,
    speedMbps,
    type: 'ethernet',
  }));
}

const node = (e: PlanEvidence, n: number) => e.nodes.find((x) => x.uuid === uuidOf(n))!;
const sight = (e: PlanEvidence, o: NicObservation) => {
  e.sightings[`${o.source}/${o.mac}/${o.applianceIf ?? ''}`] = o;
};

function arrivals(): Arrival[] {
  return [1, 2, 3].flatMap((n): Arrival[] => [
    {
      node: n,
      kind: 'register',
      apply: (e) => e.nodes.push({ uuid: uuidOf(n), serial: SERIALS[n - 1]!, softSerial: '', ecdh: false }),
    },
    { node: n, kind: 'ecdh', apply: (e) => Object.assign(node(e, n), { ecdh: true }) },
    { node: n, kind: 'ports', apply: (e) => Object.assign(node(e, n), { ports: portsOf(n) }) },
    { node: n, kind: 'hardware', apply: (e) => Object.assign(node(e, n), { hardware: hardwareOf(n) }) },
    // The firmware's DHCP came over eth0 (site LAN); EVE's last-resort DHCP on eth1 and eth2 reached the cluster
    // switch, where the appliance has a leg.
    {
      node: n,
      kind: 'dhcp',
      apply: (e) => {
        sight(e, { source: 'dhcp', mac: mac(n, 0), applianceIf: 'lan0' });
        sight(e, { source: 'dhcp', mac: mac(n, 1), applianceIf: 'clu0' });
        sight(e, { source: 'dhcp', mac: mac(n, 2), applianceIf: 'clu0' });
      },
    },
    {
      node: n,
      kind: 'ipxe',
      apply: (e) => {
        for (const p of [0, 1, 2]) sight(e, { source: 'ipxe', mac: mac(n, p), up: true });
      },
    },
  ]);
}

/** Seeded (mulberry32), so a failure names an order that can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random order EVE and the network could produce: a node's ECDH cert and reports come after its register;
 * with `netbootFirst`, its DHCP and iPXE sightings come before its register (the machine network-booted first).
 */
function randomOrder(seed: number, netbootFirst: boolean): Arrival[] {
  const next = rng(seed);
  const left = arrivals();
  const done: Arrival[] = [];
  const has = (n: number, k: Kind) => done.some((a) => a.node === n && a.kind === k);
  const ready = (a: Arrival) => {
    if (a.kind === 'register') return !netbootFirst || (has(a.node, 'dhcp') && has(a.node, 'ipxe'));
    if (a.kind === 'dhcp' || a.kind === 'ipxe') return true;
    return has(a.node, 'register');
  };
  while (left.length > 0) {
    const open = left.filter(ready);
    const pick = open[Math.floor(next() * open.length)]!;
    left.splice(left.indexOf(pick), 1);
    done.push(pick);
  }
  return done;
}

const empty = (): PlanEvidence => ({ nodes: [], sightings: {} });

function plan(e: PlanEvidence, nodes: NodeEvidence[] = e.nodes): ClusterPlan {
  const r = planCluster({ clusterId: CLUSTER_ID, nodes: nodeNics({ ...e, nodes }) });
  if (r.kind !== 'ok') throw new Error(`no plan: ${JSON.stringify(r)}`);
  return r.plan;
}

/** Feeds the arrivals one second apart, asking the trigger after each (as every config poll does). */
function bringUp(order: Arrival[], skip: (a: Arrival) => boolean = () => false) {
  const e = empty();
  let now = 0;
  let since: number | undefined;
  let t: PlanTrigger = { kind: 'wait', reason: 'nothing yet' };
  const ask = () => {
    t = planTrigger(e, { now, since, hardwareGraceMs: GRACE });
    since = t.since ?? since;
    return t;
  };
  for (const a of order) {
    if (!skip(a)) a.apply(e);
    now += 1000;
    if (ask().kind === 'plan') break;
  }
  while (t.kind === 'wait') {
    now += 1000;
    ask();
  }
  if (t.kind !== 'plan') throw new Error('unreachable');
  return { plan: { ...plan(e, t.nodes), missingEvidence: t.missing }, at: now, since };
}

const full = empty();
for (const a of arrivals()) a.apply(full);
const reference = plan(full);

describe('the same evidence in any arrival order gives the same plan', () => {
  it('the reference plan uses the speeds: eth2, the 10G port, with derived names in node order', () => {
    expect(reference.nodes.map((n) => [n.name, n.ifname, n.role])).toEqual([
      ['eve-a-1', 'eth2', 'seed'],
      ['eve-rack-7', 'eth2', 'joiner'],
      ['eve-rack-7-2', 'eth2', 'joiner'],
    ]);
  });

  it('400 random orders of register, ECDH, ports, hardware, DHCP and iPXE evidence, all in: one plan', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const e = empty();
      for (const a of randomOrder(seed, false)) a.apply(e);
      expect(plan(e), `seed ${seed}`).toEqual(reference);
    }
  });

  it('asking after every arrival: the planner waits for the hardware, so every order plans the reference', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { plan: p } = bringUp(randomOrder(seed, true));
      expect(p, `seed ${seed}`).toEqual({ ...reference, missingEvidence: [] });
    }
  });

  it('the adversarial order (every hardware report last) plans the reference too', () => {
    const order = arrivals().sort((a, b) => Number(a.kind === 'hardware') - Number(b.kind === 'hardware'));
    expect(bringUp(order).plan).toEqual({ ...reference, missingEvidence: [] });
  });

  it('a node that never sends ZInfoHardware: any order plans at the end of the grace period, saying what was missing', () => {
    const plans = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) {
      const r = bringUp(randomOrder(seed, true), (a) => a.node === 3 && a.kind === 'hardware');
      expect(r.at - r.since!).toBe(GRACE);
      expect(r.plan.missingEvidence).toEqual([
        'rack-7: no ZInfoHardware within 300 s; link speeds, PCI addresses and port types were unknown when the cluster port was chosen',
      ]);
      plans.add(JSON.stringify(r.plan));
    }
    expect(plans.size).toBe(1);
  });
});

describe('planTrigger on a fake clock', () => {
  const all = (over: (n: number) => Partial<NodeEvidence> = () => ({})): PlanEvidence => ({
    nodes: [1, 2, 3].map((n) => ({
      uuid: uuidOf(n),
      serial: SERIALS[n - 1]!,
      softSerial: '',
      ecdh: true,
      ports: portsOf(n),
      hardware: hardwareOf(n),
      ...over(n),
    })),
    sightings: {},
  });
  const cases: {
    name: string;
    input: { e: PlanEvidence; now: number; since?: number };
    want: { kind: string; reason?: RegExp; since?: number; remainingMs?: number; missing?: number };
  }[] = [
    {
      name: 'two ECDH certs of three: wait for the nodes',
      input: { e: all((n) => (n === 2 ? { ecdh: false } : {})), now: 5 },
      want: { kind: 'wait', reason: /2 of 3 have onboarded and sent their TPM ECDH cert/ },
    },
    {
      name: 'a fourth device without its ECDH cert does not hold the three back',
      input: {
        e: { ...all(), nodes: [...all().nodes, { uuid: uuidOf(4), serial: 'D', softSerial: '', ecdh: false }] },
        now: 5,
      },
      want: { kind: 'plan', since: 5, missing: 0 },
    },
    {
      name: 'ports not reported: wait for them, and no grace period starts',
      input: { e: all((n) => (n === 3 ? { ports: undefined } : {})), now: 5 },
      want: { kind: 'wait', reason: /waiting for rack-7 to report its ports/, since: undefined },
    },
    {
      name: 'everything in: plan now',
      input: { e: all(), now: 5 },
      want: { kind: 'plan', since: 5, missing: 0 },
    },
    {
      name: 'hardware missing: the grace period starts now',
      input: { e: all((n) => (n !== 1 ? { hardware: undefined } : {})), now: 1000 },
      want: {
        kind: 'wait',
        reason: /waiting for RACK_7, rack-7 to send ZInfoHardware .* 300 s after all three sent their ports/,
        since: 1000,
        remainingMs: GRACE,
      },
    },
    {
      name: 'hardware missing, 1 ms before the grace period ends: still waiting, same start',
      input: { e: all((n) => (n === 2 ? { hardware: undefined } : {})), now: 1000 + GRACE - 1, since: 1000 },
      want: { kind: 'wait', since: 1000, remainingMs: 1 },
    },
    {
      name: 'hardware missing when the grace period ends: plan, and say which',
      input: { e: all((n) => (n === 2 ? { hardware: undefined } : {})), now: 1000 + GRACE, since: 1000 },
      want: { kind: 'plan', since: 1000, missing: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = planTrigger(c.input.e, { now: c.input.now, since: c.input.since, hardwareGraceMs: GRACE });
      expect(t.kind).toBe(c.want.kind);
      if (c.want.reason && t.kind === 'wait') expect(t.reason).toMatch(c.want.reason);
      if ('since' in c.want) expect(t.since).toBe(c.want.since);
      if (c.want.remainingMs !== undefined && t.kind === 'wait') expect(t.remainingMs).toBe(c.want.remainingMs);
      if (c.want.missing !== undefined && t.kind === 'plan') {
        expect(t.missing).toHaveLength(c.want.missing);
        expect(t.nodes).toHaveLength(3);
      }
    });
  }
});
