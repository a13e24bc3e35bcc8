import { describe, expect, it } from 'vitest';
import { decidePin } from '../../../src/core/readiness/ca-pin.js';
import { DEFAULT_SEED_TIMEOUT_MS, type SeedWatchInput, watchSeed } from '../../../src/core/readiness/seed-watch.js';
import { plan, U } from './fixtures.js';

const MIN = 60_000;
const T = 60 * MIN;
// The seed got its config at 0 and last spoke at 10 min; nothing else happened.
const base: SeedWatchInput = {
  plan,
  deliveredAt: 0,
  lastContactAt: 10 * MIN,
  now: 10 * MIN + T,
  timeoutMs: T,
  readiness: { seedInitialised: false, members: [] },
  activity: [],
};

describe('watchSeed: re-designate only when the seed is silent, nothing is in cluster mode and no etcd member exists', () => {
  const cases: {
    name: string;
    input: Partial<SeedWatchInput>;
    want: { kind: string; seed?: string; reason?: RegExp; remainingMs?: number };
  }[] = [
    {
      name: 'all three hold (silent for the timeout since its last contact, no activity, no member): the next node is the seed',
      input: {},
      want: {
        kind: 'reassign',
        seed: U[1],
        reason:
          /node-1 has sent nothing for 60 min .* no node shows cluster-mode activity and no etcd member exists: node-2 is the seed now/,
      },
    },
    {
      name: 'silence fails: the seed still polls (contact 1 s ago), so it is alive and initialising: wait',
      input: { lastContactAt: 10 * MIN + T - 1000 },
      want: { kind: 'wait', remainingMs: T - 1000 },
    },
    {
      name: 'silence is counted from the last contact, not from the config delivery',
      input: { now: T + 1 },
      want: { kind: 'wait', remainingMs: 10 * MIN - 1 },
    },
    {
      name: 'silence fails just before the timeout ends',
      input: { now: 10 * MIN + T - 1 },
      want: { kind: 'wait', remainingMs: 1 },
    },
    {
      name: 'a seed that never contacted us after the delivery counts from the delivery',
      input: { lastContactAt: undefined, now: T },
      want: { kind: 'reassign', seed: U[1] },
    },
    {
      name: 'an old contact before the delivery counts from the delivery',
      input: { deliveredAt: 30 * MIN, lastContactAt: 5 * MIN, now: 30 * MIN + T - 1 },
      want: { kind: 'wait', remainingMs: 1 },
    },
    {
      name: 'the seed never got its cluster config: wait, whatever the time',
      input: { deliveredAt: undefined, lastContactAt: undefined, now: 1e12 },
      want: { kind: 'wait' },
    },
    {
      name: 'activity fails: a node reports a cluster address on a port: hold, the seed stays',
      input: { activity: ['node-2 reports cluster address 10.244.244.2 on a port'] },
      want: { kind: 'hold', reason: /node-2 reports cluster address 10\.244\.244\.2.*node-1 stays the seed/ },
    },
    {
      name: 'activity fails: EVE reports a clustered admission: hold',
      input: { activity: ['node-3: ZInfoKubeCluster lists node-3 as JOINING'] },
      want: { kind: 'hold', reason: /JOINING.*Bring node-1 back online/ },
    },
    {
      name: 'etcd fails: a joiner is already an etcd member: refuse, never split the cluster',
      input: { readiness: { seedInitialised: false, members: [U[1]!] } },
      want: { kind: 'refuse', reason: /an etcd member already exists, so node-1 stays the seed/ },
    },
    {
      name: 'the seed initialised: nothing to decide, even after a long silence',
      input: { readiness: { seedInitialised: true, members: [U[0]!] }, now: 1e12 },
      want: { kind: 'initialised' },
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
      if (v.kind === 'wait' && c.want.remainingMs !== undefined) expect(v.remainingMs).toBe(c.want.remainingMs);
      if (c.want.reason && 'reason' in v) expect(v.reason).toMatch(c.want.reason);
    });
  }

  it('the default timeout fits EVE-k first boot (at least 45 minutes)', () => {
    expect(DEFAULT_SEED_TIMEOUT_MS).toBeGreaterThanOrEqual(45 * MIN);
    const { timeoutMs: _t, ...noTimeout } = base;
    expect(watchSeed({ ...noTimeout, now: 10 * MIN + 44 * MIN }).kind).toBe('wait');
  });
});

describe('decidePin', () => {
  const cases = [
    { name: 'the first CA seen is pinned', input: [undefined, 'AB'], want: { kind: 'pin', sha256: 'ab' } },
    { name: 'the same CA later matches', input: ['ab', 'AB'], want: { kind: 'match', sha256: 'ab' } },
    { name: 'a different CA is a mismatch', input: ['ab', 'cd'], want: { kind: 'mismatch', pinned: 'ab', seen: 'cd' } },
  ] as const;
  for (const c of cases) it(c.name, () => expect(decidePin(c.input[0], c.input[1])).toEqual(c.want));
});
