import { describe, expect, it } from 'vitest';
import type { ClusterPlan } from '../../../src/core/plan/cluster-plan.js';
import { chooseSeed } from '../../../src/core/plan/seed.js';
import { reassignSeed } from '../../../src/core/plan/seed-reassign.js';
import { node, uuidOf } from './fixtures.js';

const plan: ClusterPlan = {
  clusterId: '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b',
  name: 'eveboot',
  prefix: '10.244.244.0/28',
  seedUuid: uuidOf(1),
  seedWhy: 'node-1: lowest serial (SER1)',
  joinServerIp: '10.244.244.1',
  nodes: [1, 2, 3].map((n) => ({
    uuid: uuidOf(n),
    name: `node-${n}`,
    ip: `10.244.244.${n}`,
    ipPrefix: `10.244.244.${n}/28`,
    interfaceLabel: 'eth1',
    ifname: 'eth1',
    mac: `02:00:00:00:0${n}:01`,
    why: 'eth1: dedicated port',
    role: n === 1 ? 'seed' : 'joiner',
  })),
};

describe('reassignSeed', () => {
  const cases = [
    {
      name: 'a seed that went silent is replaced by the next node while no etcd member exists',
      input: { plan, failed: uuidOf(1), etcd: false },
      want: {
        kind: 'ok',
        seed: uuidOf(2),
        join: '10.244.244.2',
        text: 'node-1 went silent before any node was in cluster mode',
      },
    },
    {
      name: 'the last node in order hands over to the first',
      input: { plan: { ...plan, seedUuid: uuidOf(3), joinServerIp: '10.244.244.3' }, failed: uuidOf(3), etcd: false },
      want: { kind: 'ok', seed: uuidOf(1), join: '10.244.244.1', text: 'next node took over' },
    },
    {
      name: 'the seed is never moved once any etcd member exists',
      input: { plan, failed: uuidOf(1), etcd: true },
      want: { kind: 'refuse', text: 'an etcd member already exists, so node-1 stays the seed' },
    },
    {
      name: 'a node that is not the seed cannot be reassigned away from',
      input: { plan, failed: uuidOf(2), etcd: false },
      want: { kind: 'refuse', text: 'is not the seed (node-1 is)' },
    },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    const got = reassignSeed(input.plan, input.failed, input.etcd);
    expect(got.kind).toBe(want.kind);
    if (got.kind === 'refuse') return expect(got.reason).toContain(want.text);
    expect(got.plan.seedUuid).toBe(want.seed);
    expect(got.plan.joinServerIp).toBe(want.join);
    expect(got.plan.seedWhy).toContain(want.text);
    // Addresses stay put; exactly one node is the seed and its IP is join_server_ip (eve-api-facts §1.4).
    expect(got.plan.nodes.map((n) => n.ip)).toEqual(input.plan.nodes.map((n) => n.ip));
    expect(got.plan.nodes.filter((n) => n.ip === got.plan.joinServerIp).map((n) => [n.uuid, n.role])).toEqual([
      [want.seed, 'seed'],
    ]);
  });
});

describe('chooseSeed', () => {
  const nodes = [node(3, []), node(1, []), node(2, [])];
  const cases = [
    {
      name: 'the default seed is the lowest serial',
      input: undefined,
      want: { uuid: uuidOf(1), why: 'lowest serial' },
    },
    { name: 'the operator can name the seed by serial', input: 'SER3', want: { uuid: uuidOf(3), why: 'operator' } },
    { name: 'the operator can name the seed by UUID', input: uuidOf(2), want: { uuid: uuidOf(2), why: 'operator' } },
    { name: 'an override matching no node is refused', input: 'SER9', want: { error: 'matches none of' } },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    const got = chooseSeed(nodes, input);
    if ('error' in want) return expect(got.kind === 'error' && got.message).toContain(want.error);
    expect(got.kind === 'ok' && got.uuid).toBe(want.uuid);
    expect(got.kind === 'ok' && got.why).toContain(want.why);
  });
});
