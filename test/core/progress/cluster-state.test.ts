import { describe, expect, it } from 'vitest';
import {
  type ClusterState,
  initialCluster,
  label,
  recordState,
  transition,
} from '../../../src/core/progress/cluster-state.js';
import type { ProgressEvent } from '../../../src/core/progress/event.js';
import { CLUSTER_ID, ev, UUID } from './fixtures.js';

const [A, B, C] = UUID;
const planNodes = [
  { uuid: A, name: 'node-1', ip: '10.244.244.1', role: 'seed' },
  { uuid: B, name: 'node-2', ip: '10.244.244.2', role: 'joiner' },
  { uuid: C, name: 'node-3', ip: '10.244.244.3', role: 'joiner' },
];
const readiness = (at: number, live: string[], ready = false, extra: Record<string, unknown> = {}) =>
  ev(at, 'k3s.readiness', {
    ready,
    quorum: `${live.length}/3`,
    members: [A, B, C],
    liveMembers: live,
    evidence: [],
    missing: [],
    basis: 'probes',
    ...extra,
  });

const toPlanned: ProgressEvent[] = [
  ev(0, 'cluster.created', { id: CLUSTER_ID, name: 'eveboot' }),
  ev(1, 'cluster.plan.status', { status: 'waiting for nodes: 2 of 3 have onboarded and sent their TPM ECDH cert' }),
  ev(2, 'cluster.planned', { seed: A, why: 'node-1: lowest serial', nodes: planNodes }),
];
const delivered = [A, B, C].map((u, i) => ev(10 + i, 'eve.config.delivered', { hash: 'h', cluster: true }, u));
const toReady = [
  ...toPlanned,
  ...delivered,
  readiness(20, [A]),
  readiness(30, [A, B]),
  readiness(40, [A, B, C]),
  readiness(50, [A, B, C], true),
];

function run(events: ProgressEvent[]): ClusterState {
  let s = initialCluster();
  for (const e of events) s = transition(s, e).state;
  return s;
}

describe('cluster transition', () => {
  const cases: { name: string; input: ProgressEvent[]; want: { state: string; label: RegExp } }[] = [
    {
      name: 'starts waiting for nodes with the planner status',
      input: toPlanned.slice(0, 2),
      want: { state: 'waiting-for-nodes', label: /2 of 3/ },
    },
    {
      name: 'a plan names the seed',
      input: toPlanned,
      want: { state: 'planned', label: /seed node-1; configs delivered 0\/3/ },
    },
    {
      name: 'two configs out is still planned',
      input: [...toPlanned, ...delivered.slice(0, 2)],
      want: { state: 'planned', label: /2\/3/ },
    },
    {
      name: 'all three configs out',
      input: [...toPlanned, ...delivered],
      want: { state: 'configs-delivered', label: /waiting for the seed/ },
    },
    {
      name: 'nothing answering yet keeps configs-delivered',
      input: [...toPlanned, ...delivered, readiness(15, [])],
      want: { state: 'configs-delivered', label: /seed/ },
    },
    {
      name: 'the seed answering is seed initialised',
      input: toReady.slice(0, 7),
      want: { state: 'seed-initialised', label: /1\/3/ },
    },
    {
      name: 'a joiner in is joined 2/3',
      input: toReady.slice(0, 8),
      want: { state: 'joined-2/3', label: /joined 2\/3/ },
    },
    {
      name: 'all three members but readiness not proven is joined 3/3',
      input: toReady.slice(0, 9),
      want: { state: 'joined-3/3', label: /joined 3\/3/ },
    },
    { name: 'all evidence in is ready', input: toReady, want: { state: 'ready', label: /ready: 3\/3/ } },
    {
      name: 'one node lost after ready is degraded and names it',
      input: [...toReady, readiness(60, [A, C])],
      want: { state: 'degraded', label: /degraded: node-2 down; 2\/3 live, quorum held/ },
    },
    {
      name: 'two lost after ready is failed: quorum lost, naming both',
      input: [...toReady, readiness(60, [A, C]), readiness(70, [A])],
      want: { state: 'failed', label: /quorum lost: 1 of 3 .*down: node-2, node-3/ },
    },
    {
      name: 'recovery brings it back to ready',
      input: [...toReady, readiness(60, [A]), readiness(80, [A, B, C], true)],
      want: { state: 'ready', label: /ready/ },
    },
    {
      name: 'a timeout fails with its reason',
      input: [
        ...toPlanned,
        ...delivered,
        ev(99, 'k3s.timeout', { reason: 'no etcd member after 30 min: check the cluster switch' }),
      ],
      want: { state: 'failed', label: /failed: no etcd member after 30 min/ },
    },
    {
      name: 'a moved seed re-plans and re-delivers',
      input: [
        ...toPlanned,
        ...delivered,
        ev(90, 'k3s.seed.reassigned', { seed: A, newSeed: B, reason: 'node-1 never initialised' }),
      ],
      want: { state: 'planned', label: /seed node-2; configs delivered 0\/3/ },
    },
    {
      name: 'a planner error fails the cluster',
      input: [
        ...toPlanned.slice(0, 1),
        ev(5, 'cluster.plan.status', { status: 'cannot plan the cluster: no common segment' }),
      ],
      want: { state: 'failed', label: /no common segment/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = run(c.input);
      expect(recordState(s)).toBe(c.want.state);
      expect(label(s)).toMatch(c.want.label);
    });
  }

  it('emits one change effect per state change, with the time', () => {
    const s = run(toReady.slice(0, 8));
    const out = transition(s, readiness(41, [A, B, C]));
    expect(out.effects).toEqual([
      { kind: 'changed', from: 'joined-2/3', to: 'joined-3/3', label: 'joined 3/3', at: 41 },
    ]);
    expect(out.state.since).toBe(41);
    expect(transition(out.state, readiness(42, [A, B, C])).effects).toEqual([]);
  });

  it('is persistable: JSON round trip and resume', () => {
    const half = JSON.parse(JSON.stringify(run(toReady.slice(0, 8)))) as ClusterState;
    let s = half;
    for (const e of toReady.slice(8)) s = transition(s, e).state;
    expect(s).toEqual(run(toReady));
  });

  it('counts sealed devices, never the token', () => {
    const s = run([...toPlanned, ...[A, B, C].map((u) => ev(5, 'cluster.token.sealed', { ecdhCertHash: 'aa' }, u))]);
    expect(s.sealedFor).toEqual([A, B, C]);
  });
});
