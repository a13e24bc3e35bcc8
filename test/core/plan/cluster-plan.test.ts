import { describe, expect, it } from 'vitest';
import { type ClusterPlan, type PlanInput, planCluster } from '../../../src/core/plan/cluster-plan.js';
import { mergeInventory } from '../../../src/core/plan/inventory.js';
import { CLUSTER_ID, node, trio, uuidOf } from './fixtures.js';

const base: PlanInput = { clusterId: CLUSTER_ID, nodes: trio(), applianceSubnets: ['192.168.1.0/24'] };

function ok(input: PlanInput): ClusterPlan {
  const got = planCluster(input);
  if (got.kind !== 'ok') throw new Error(got.kind === 'wait' ? got.reason : got.message);
  return got.plan;
}

const first = ok(base);

describe('planCluster', () => {
  it('plans the seed on the lowest serial, the dedicated ports and the first three hosts', () => {
    expect(first).toEqual({
      clusterId: CLUSTER_ID,
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
        why: expect.stringContaining('eth1: dedicated port, 10000 Mb/s common link speed'),
        role: n === 1 ? 'seed' : 'joiner',
      })),
    });
  });

  const outcomes: { name: string; input: PlanInput; want: { kind: string; text: string } }[] = [
    {
      name: 'two onboarded nodes make it wait for the third',
      input: { ...base, nodes: trio().slice(0, 2) },
      want: { kind: 'wait', text: 'waiting for nodes: 2 of 3 onboarded (node-1, node-2)' },
    },
    {
      name: 'a node known only from iPXE and DHCP makes it wait for its EVE port report',
      input: {
        ...base,
        nodes: [
          ...trio().slice(0, 2),
          { ...node(3, []), nics: mergeInventory([{ source: 'ipxe', mac: '02:00:00:00:03:00', up: true }]) },
        ],
      },
      want: { kind: 'wait', text: 'waiting for node-3 to report its ports (systemAdapter)' },
    },
    {
      name: 'four nodes are refused: a cluster has exactly three',
      input: { ...base, nodes: [...trio(), node(4, [{ ifname: 'eth0', mgmt: true }])] },
      want: { kind: 'error', text: 'a cluster has exactly three' },
    },
    {
      name: 'a cluster id that is not a UUID is refused, as EVE would drop the config',
      input: { ...base, clusterId: 'cluster-1' },
      want: { kind: 'error', text: 'is not a UUID' },
    },
    {
      name: 'a prefix overlapping a node management subnet is refused',
      input: { ...base, applianceSubnets: [], prefix: '192.168.1.128/28' },
      want: { kind: 'error', text: 'overlaps management subnet 192.168.1.0/24' },
    },
    {
      name: 'a prefix overlapping the appliance subnet is refused',
      input: { ...base, applianceSubnets: ['10.244.0.0/16'] },
      want: { kind: 'error', text: 'overlaps management subnet 10.244.0.0/16' },
    },
    {
      name: 'a prefix in the K3s service range is refused',
      input: { ...base, prefix: '10.43.0.0/28' },
      want: { kind: 'error', text: 'overlaps 10.43.0.0/16 (K3s services)' },
    },
    {
      name: 'an invalid interface override stops planning',
      input: { ...base, interfaceOverride: { [uuidOf(2)]: 'eth9' } },
      want: { kind: 'error', text: 'node-2 has no port "eth9"' },
    },
  ];
  it.each(outcomes)('$name', ({ input, want }) => {
    const got = planCluster(input);
    expect(got.kind).toBe(want.kind);
    expect(got.kind === 'wait' ? got.reason : got.kind === 'error' ? got.message : '').toContain(want.text);
  });

  const faster = trio(() => [{ ifname: 'eth2', speed: 25000, dhcpOn: 'fast' }]);

  // Keeping a plan once made (a faster segment found later, a reassigned seed across a restart) is the cluster
  // service's: it stores the plan and never plans again unless the operator overrides (cluster-service.test.ts).
  const stability: { name: string; input: PlanInput; want: Partial<Record<'seed' | 'ips' | 'ports', unknown>> }[] = [
    {
      name: 'the same inputs in another order give the same plan',
      input: { ...base, nodes: [...trio()].reverse() },
      want: { seed: uuidOf(1), ips: ['10.244.244.1', '10.244.244.2', '10.244.244.3'], ports: ['eth1', 'eth1', 'eth1'] },
    },
    {
      name: 'the faster segment is chosen',
      input: { ...base, nodes: faster },
      want: { ports: ['eth2', 'eth2', 'eth2'] },
    },
    {
      name: 'a seed override moves the seed and gives it the first address',
      input: { ...base, seedOverride: 'SER3' },
      want: { seed: uuidOf(3), ips: ['10.244.244.2', '10.244.244.3', '10.244.244.1'] },
    },
    {
      name: 'an interface override picks the cluster port',
      input: { ...base, interfaceOverride: { [uuidOf(1)]: 'eth0' } },
      want: { ports: ['eth0', 'eth0', 'eth0'] },
    },
    {
      name: 'a node without a dedicated port puts the cluster on the shared one',
      input: {
        ...base,
        nodes: [...trio().slice(0, 2), node(3, [{ ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' }])],
      },
      want: { ports: ['eth0', 'eth0', 'eth0'] },
    },
    {
      name: 'a changed prefix re-addresses the nodes from its first host',
      input: { ...base, prefix: '172.20.0.0/29' },
      want: { seed: uuidOf(1), ips: ['172.20.0.1', '172.20.0.2', '172.20.0.3'] },
    },
    {
      name: 'a port that got DHCP outside the appliance subnet still counts as dedicated',
      input: {
        ...base,
        nodes: [1, 2, 3].map((n) =>
          node(n, [
            { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
            { ifname: 'eth1', mgmt: true, subnet: '172.16.5.0/24', ipv4: [`172.16.5.${n}`] },
          ]),
        ),
      },
      want: { ports: ['eth1', 'eth1', 'eth1'] },
    },
  ];
  it.each(stability)('$name', ({ input, want }) => {
    const plan = ok(input);
    if (want.seed) expect(plan.seedUuid).toBe(want.seed);
    if (want.ips) expect(plan.nodes.map((n) => n.ip)).toEqual(want.ips);
    if (want.ports) expect(plan.nodes.map((n) => n.ifname)).toEqual(want.ports);
    // Exactly one node is the bootstrap node: its cluster IP equals join_server_ip (eve-api-facts §1.4 step 3).
    const seeds = plan.nodes.filter((n) => n.ipPrefix.split('/')[0] === plan.joinServerIp);
    expect(seeds.map((n) => [n.uuid, n.role])).toEqual([[plan.seedUuid, 'seed']]);
    // Planning twice from the same inputs gives the same plan.
    expect(ok(input)).toEqual(plan);
  });

  it('gives every node a unique, valid Kubernetes node name', () => {
    const nodes = trio().map((n) => ({ ...n, name: 'Edge_Node' }));
    expect(ok({ ...base, nodes }).nodes.map((n) => n.name)).toEqual(['edge-node', 'edge-node-2', 'edge-node-3']);
  });

  it('is a plain serialisable value', () => {
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });
});
