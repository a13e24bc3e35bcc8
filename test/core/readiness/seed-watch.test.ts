import { describe, expect, it } from 'vitest';
import type { ClusterPlan } from '../../../src/core/plan/cluster-plan.js';
import { decidePin } from '../../../src/core/readiness/ca-pin.js';
import { type SeedWatchInput, watchSeed } from '../../../src/core/readiness/seed-watch.js';

const U = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];
const plan: ClusterPlan = {
  clusterId: '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b',
  name: 'eveboot',
  prefix: '10.244.244.0/28',
  seedUuid: U[0]!,
  seedWhy: 'node-1: lowest serial',
  joinServerIp: '10.244.244.1',
  nodes: [1, 2, 3].map((n) => ({
    uuid: U[n - 1]!,
    name: `node-${n}`,
    ip: `10.244.244.${n}`,
    ipPrefix: `10.244.244.${n}/28`,
    interfaceLabel: 'eth1',
    ifname: 'eth1',
    mac: '',
    why: '',
    role: n === 1 ? 'seed' : 'joiner',
  })),
};
const base: SeedWatchInput = {
  plan,
  deliveredAt: 1000,
  now: 1000,
  timeoutMs: 60_000,
  readiness: { seedInitialised: false, members: [] },
};

describe('watchSeed', () => {
  const cases: {
    name: string;
    input: Partial<SeedWatchInput>;
    want: { kind: string; seed?: string; reason?: RegExp };
  }[] = [
    {
      name: 'an initialised seed needs nothing',
      input: { readiness: { seedInitialised: true, members: [U[0]!] }, now: 1e9 },
      want: { kind: 'initialised' },
    },
    {
      name: 'before the seed config went out, wait',
      input: { deliveredAt: undefined, now: 1e9 },
      want: { kind: 'wait' },
    },
    { name: 'within the configured time, wait', input: { now: 60_999 }, want: { kind: 'wait' } },
    {
      name: 'past the time with no member anywhere: the next node becomes the seed',
      input: { now: 61_000 },
      want: {
        kind: 'reassign',
        seed: U[1],
        reason: /node-1's :12346\/status did not answer .* for 60 s .* node-2 is the seed now/,
      },
    },
    {
      name: 'past the time but a joiner is already an etcd member: refuse, never split the cluster',
      input: { now: 61_000, readiness: { seedInitialised: false, members: [U[1]!] } },
      want: { kind: 'refuse', reason: /an etcd member already exists, so node-1 stays the seed/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = watchSeed({ ...base, ...c.input });
      expect(v.kind).toBe(c.want.kind);
      if (v.kind === 'reassign') {
        expect(v.plan.seedUuid).toBe(c.want.seed);
        expect(v.plan.joinServerIp).toBe('10.244.244.2');
      }
      if (c.want.reason && (v.kind === 'reassign' || v.kind === 'refuse')) expect(v.reason).toMatch(c.want.reason);
    });
  }
});

describe('decidePin', () => {
  const cases = [
    { name: 'the first CA seen is pinned', input: [undefined, 'AB'], want: { kind: 'pin', sha256: 'ab' } },
    { name: 'the same CA later matches', input: ['ab', 'AB'], want: { kind: 'match', sha256: 'ab' } },
    { name: 'a different CA is a mismatch', input: ['ab', 'cd'], want: { kind: 'mismatch', pinned: 'ab', seen: 'cd' } },
  ] as const;
  for (const c of cases) it(c.name, () => expect(decidePin(c.input[0], c.input[1])).toEqual(c.want));
});
