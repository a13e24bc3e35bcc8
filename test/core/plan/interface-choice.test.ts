import { describe, expect, it } from 'vitest';
import { chooseClusterInterfaces, type InterfaceOverride } from '../../../src/core/plan/interface-choice.js';
import type { NodeNics } from '../../../src/core/plan/inventory.js';
import { node, type PortSpec, trio, uuidOf } from './fixtures.js';

interface Case {
  name: string;
  input: { nodes: NodeNics[]; override?: InterfaceOverride };
  want: { ports: string[]; why?: string } | { error: string[] };
}

/** A management port on a routed network of its own: no evidence that the nodes' eth0 share a segment. */
const routed = (n: number): PortSpec => ({
  ifname: 'eth0',
  mgmt: true,
  subnet: `192.168.${n}.0/24`,
  ipv4: [`192.168.${n}.10`],
});

const cases: Case[] = [
  {
    name: 'a dedicated port is preferred over the management port',
    input: { nodes: trio() },
    want: { ports: ['eth1', 'eth1', 'eth1'], why: 'eth1: dedicated port, 10000 Mb/s common link speed' },
  },
  {
    name: 'the management port is used when no dedicated port shares a segment',
    input: { nodes: [1, 2, 3].map((n) => node(n, [{ ifname: 'eth0', mgmt: true, speed: 1000, dhcpOn: 'mgmt0' }])) },
    want: { ports: ['eth0', 'eth0', 'eth0'], why: 'management port (no dedicated port shares a segment)' },
  },
  {
    name: 'the faster dedicated segment wins, whatever the port names',
    input: {
      nodes: trio(() => [{ ifname: 'eth2', speed: 25000, dhcpOn: 'fast' }]),
    },
    want: { ports: ['eth2', 'eth2', 'eth2'], why: '25000 Mb/s common link speed' },
  },
  {
    name: 'the common speed is the slowest pick, so one slow node pulls a segment down',
    input: {
      nodes: trio((n) => [{ ifname: 'eth2', speed: n === 3 ? 1000 : 25000, dhcpOn: 'lab1' }]),
    },
    want: { ports: ['eth1', 'eth1', 'eth1'] },
  },
  {
    name: 'equal segments are broken by the lowest port names, and the explanation says so',
    input: { nodes: trio(() => [{ ifname: 'eth10', speed: 10000, segment: 'other' }]) },
    want: { ports: ['eth1', 'eth1', 'eth1'], why: 'tie-break: lowest port names' },
  },
  {
    name: 'one node with two ports on different segments gets the port on the common one',
    input: {
      nodes: [
        node(1, [
          { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
          { ifname: 'eth1', dhcpOn: 'lab' },
          { ifname: 'eth2', dhcpOn: 'storage' },
        ]),
        node(2, [
          { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
          { ifname: 'eth1', dhcpOn: 'storage' },
        ]),
        node(3, [
          { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
          { ifname: 'eth3', dhcpOn: 'storage' },
        ]),
      ],
    },
    want: { ports: ['eth2', 'eth1', 'eth3'], why: 'DHCP seen on appliance storage' },
  },
  {
    name: 'identical IPv4 subnets are evidence of one segment',
    input: {
      nodes: [1, 2, 3].map((n) =>
        node(n, [
          { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
          { ifname: 'enp2s0', subnet: '10.9.0.0/24', ipv4: [`10.9.0.${n}`] },
        ]),
      ),
    },
    want: { ports: ['enp2s0', 'enp2s0', 'enp2s0'], why: 'subnet 10.9.0.0/24' },
  },
  {
    name: 'link-local subnets are not evidence, so the ports fall back to management',
    input: {
      nodes: [1, 2, 3].map((n) =>
        node(n, [
          { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
          { ifname: 'eth1', subnet: '169.254.0.0/16', ipv4: [`169.254.0.${n}`] },
        ]),
      ),
    },
    want: { ports: ['eth0', 'eth0', 'eth0'] },
  },
  {
    name: 'no common segment is an error that names what to cable',
    input: {
      nodes: [
        node(1, [routed(1), { ifname: 'eth1', segment: 'sw1' }], 'alpha'),
        node(2, [routed(2), { ifname: 'eth1', segment: 'sw1' }], 'beta'),
        node(3, [routed(3), { ifname: 'eth1', segment: 'sw2' }, { ifname: 'eth2', up: false }], 'gamma'),
      ],
    },
    want: { error: ['links alpha eth1 and beta eth1', 'Cable eth1 of gamma to the same switch as alpha eth1'] },
  },
  {
    name: 'a port seen on the segment but without link is named with its cable',
    input: {
      nodes: [
        node(1, [routed(1), { ifname: 'eth1', segment: 'cluster' }]),
        node(2, [routed(2), { ifname: 'eth1', segment: 'cluster' }]),
        node(3, [routed(3), { ifname: 'eth1', segment: 'cluster', up: false }]),
      ],
    },
    want: { error: ['node-3 eth1 was seen there but has no link: check its cable', 'Cable eth1 of node-3'] },
  },
  {
    name: 'a port without link on one node sends the cluster to the management segment',
    input: {
      nodes: [
        ...trio().slice(0, 2),
        node(3, [
          { ifname: 'eth0', mgmt: true, dhcpOn: 'mgmt0' },
          { ifname: 'eth1', segment: 'cluster', up: false },
        ]),
      ],
    },
    want: { ports: ['eth0', 'eth0', 'eth0'] },
  },
  {
    name: 'no evidence linking any two nodes asks to cable one port per node and plug the appliance in',
    input: { nodes: [1, 2, 3].map((n) => node(n, [routed(n), { ifname: 'eth1' }])) },
    want: { error: ['no evidence links ports of different nodes', 'cable node-1 eth1, node-2 eth1, node-3 eth1'] },
  },
  {
    name: 'an override for all three nodes is honoured even against the ranking',
    input: { nodes: trio(), override: { [uuidOf(1)]: 'eth0', [uuidOf(2)]: 'eth0', [uuidOf(3)]: '02:00:00:00:03:00' } },
    want: {
      ports: ['eth0', 'eth0', 'eth0'],
      why: 'operator override (DHCP seen on appliance mgmt0; subnet 192.168.1.0/24)',
    },
  },
  {
    name: 'a partial override pins one node and the others follow its segment',
    input: { nodes: trio(), override: { [uuidOf(2)]: 'eth0' } },
    want: { ports: ['eth0', 'eth0', 'eth0'] },
  },
  {
    name: 'an override naming a missing port is refused with the ports that exist',
    input: { nodes: trio(), override: { [uuidOf(1)]: 'eth7' } },
    want: { error: ['node-1 has no port "eth7" (ports: eth0, eth1)'] },
  },
  {
    name: 'an override naming a port without link is refused',
    input: {
      nodes: [
        ...trio().slice(0, 2),
        node(3, [
          { ifname: 'eth0', mgmt: true },
          { ifname: 'eth1', up: false },
        ]),
      ],
      override: { [uuidOf(3)]: 'eth1' },
    },
    want: { error: ['node-3 port "eth1" has no link'] },
  },
  {
    name: 'an override naming an unknown node is refused',
    input: { nodes: trio(), override: { [uuidOf(9)]: 'eth1' } },
    want: { error: ['not one of the three'] },
  },
];

describe('chooseClusterInterfaces', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const got = chooseClusterInterfaces(input.nodes, input.override);
    if ('error' in want) {
      expect(got.kind).toBe('error');
      for (const part of want.error) expect(got.kind === 'error' && got.message).toContain(part);
      return;
    }
    if (got.kind !== 'ok') throw new Error(got.message);
    expect(input.nodes.map((n) => got.choices.get(n.uuid)?.ifname)).toEqual(want.ports);
    if (want.why) expect(got.choices.get(input.nodes[0]!.uuid)?.why).toContain(want.why);
  });

  it('gives the same choice for any input order', () => {
    const nodes = trio(() => [{ ifname: 'eth10', speed: 10000, segment: 'other' }]);
    const a = chooseClusterInterfaces(nodes);
    const b = chooseClusterInterfaces([...nodes].reverse());
    expect(b).toEqual(a);
  });
});
