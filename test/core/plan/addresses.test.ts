import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_PREFIX, planAddresses } from '../../../src/core/plan/addresses.js';

const [a, b, c] = ['uuid-a', 'uuid-b', 'uuid-c'];

const cases: {
  name: string;
  input: { prefix: string; seed: string; mgmt: string[] };
  want: Record<string, string> | { error: string };
}[] = [
  {
    name: 'the default prefix gives the seed the first usable host and the others the next ones in order',
    input: { prefix: DEFAULT_CLUSTER_PREFIX, seed: b, mgmt: ['192.168.1.0/24'] },
    want: { [b]: '10.244.244.1', [a]: '10.244.244.2', [c]: '10.244.244.3' },
  },
  {
    name: 'a /29 is the smallest prefix that fits three nodes',
    input: { prefix: '172.31.0.8/29', seed: a, mgmt: [] },
    want: { [a]: '172.31.0.9', [b]: '172.31.0.10', [c]: '172.31.0.11' },
  },
  {
    name: 'a /30 has only two usable hosts and is refused',
    input: { prefix: '10.244.244.0/30', seed: a, mgmt: [] },
    want: { error: 'has 2 usable hosts, 3 are needed: use a /29 or larger' },
  },
  {
    name: 'a prefix overlapping a management subnet is refused',
    input: { prefix: '192.168.1.240/28', seed: a, mgmt: ['10.0.0.0/24', '192.168.1.0/24'] },
    want: { error: 'overlaps management subnet 192.168.1.0/24' },
  },
  {
    name: 'a prefix containing a management subnet is refused too',
    input: { prefix: '192.168.0.0/16', seed: a, mgmt: ['192.168.7.0/24'] },
    want: { error: 'overlaps management subnet 192.168.7.0/24' },
  },
  {
    name: 'a prefix inside the K3s pod range 10.42.0.0/16 is refused',
    input: { prefix: '10.42.7.0/28', seed: a, mgmt: [] },
    want: { error: 'overlaps 10.42.0.0/16 (K3s pods)' },
  },
  {
    name: 'a prefix inside the K3s service range 10.43.0.0/16 is refused',
    input: { prefix: '10.43.200.16/28', seed: a, mgmt: [] },
    want: { error: 'overlaps 10.43.0.0/16 (K3s services)' },
  },
  {
    name: 'a prefix that contains the K3s ranges is refused',
    input: { prefix: '10.0.0.0/8', seed: a, mgmt: [] },
    want: { error: 'overlaps 10.42.0.0/16' },
  },
  {
    name: 'a prefix with host bits set is refused with the corrected form',
    input: { prefix: '10.244.244.5/28', seed: a, mgmt: [] },
    want: { error: 'write it as 10.244.244.0/28' },
  },
  {
    name: 'an IPv6 prefix is refused',
    input: { prefix: 'fd00::/64', seed: a, mgmt: [] },
    want: { error: 'is not an IPv4 prefix' },
  },
  {
    name: 'a seed that is not one of the nodes is refused',
    input: { prefix: DEFAULT_CLUSTER_PREFIX, seed: 'uuid-x', mgmt: [] },
    want: { error: 'is not one of the cluster nodes' },
  },
];

describe('planAddresses', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const got = planAddresses(input.prefix, input.seed, [a, b, c], input.mgmt);
    if ('error' in want) {
      expect(got.kind === 'error' && got.message).toContain(want.error);
      return;
    }
    if (got.kind !== 'ok') throw new Error(got.message);
    expect(Object.fromEntries(got.ips)).toEqual(want);
  });
});
