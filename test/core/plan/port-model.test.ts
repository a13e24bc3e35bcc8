import { describe, expect, it } from 'vitest';
import { buildPortModel, nameUuid, networkUuids } from '../../../src/core/plan/port-model.js';
import { PhyIoMemberUsage, PhyIoType } from '../../../src/gen/evecommon/devmodelcommon_pb.js';
import { DHCPType } from '../../../src/gen/evecommon/netcmn_pb.js';
import { CLUSTER_ID, node, type PortSpec } from './fixtures.js';

const nets = networkUuids(CLUSTER_ID);

function summary(ports: PortSpec[], clusterLabel: string, applianceSubnets: string[] = []) {
  const m = buildPortModel(node(1, ports).nics, clusterLabel, CLUSTER_ID, applianceSubnets);
  return {
    io: m.deviceIoList.map((p) => [p.phylabel, p.logicallabel, p.phyaddrs.ifname, p.ptype, p.usage]),
    adapters: m.systemAdapterList.map((a) => [a.name, a.uplink, a.networkUUID === nets.cluster ? 'cluster' : 'dhcp']),
    networks: m.networks.map((n) => [n.id === nets.cluster ? 'cluster' : 'dhcp', n.ip?.dhcp]),
  };
}

const { PhyIoUsageMgmtAndApps: MGMT, PhyIoUsageShared: SHARED } = PhyIoMemberUsage;
const ETH = PhyIoType.PhyIoNetEth;

const cases = [
  {
    name: 'a dedicated cluster port gets a network without DHCP and is not an uplink',
    input: { ports: [{ ifname: 'eth0', mgmt: true }, { ifname: 'eth1' }], label: 'eth1' },
    want: {
      io: [
        ['eth0', 'eth0', 'eth0', ETH, MGMT],
        ['eth1', 'eth1', 'eth1', ETH, SHARED],
      ],
      adapters: [
        ['eth0', true, 'dhcp'],
        ['eth1', false, 'cluster'],
      ],
      networks: [
        ['dhcp', DHCPType.Client],
        ['cluster', DHCPType.DHCPNone],
      ],
    },
  },
  {
    name: 'a cluster port that is also the management port keeps DHCP and stays the uplink',
    input: {
      ports: [
        { ifname: 'eth0', mgmt: true },
        { ifname: 'wlan0', type: 'wifi' as const },
      ],
      label: 'eth0',
    },
    want: {
      io: [['eth0', 'eth0', 'eth0', ETH, MGMT]],
      adapters: [['eth0', true, 'dhcp']],
      networks: [['dhcp', DHCPType.Client]],
    },
  },
  {
    name: 'a spare port keeps DHCP but is not an uplink',
    input: { ports: [{ ifname: 'eth0', mgmt: true }, { ifname: 'eth1' }, { ifname: 'eth2' }], label: 'eth1' },
    want: {
      io: [
        ['eth0', 'eth0', 'eth0', ETH, MGMT],
        ['eth1', 'eth1', 'eth1', ETH, SHARED],
        ['eth2', 'eth2', 'eth2', ETH, SHARED],
      ],
      adapters: [
        ['eth0', true, 'dhcp'],
        ['eth1', false, 'cluster'],
        ['eth2', false, 'dhcp'],
      ],
      networks: [
        ['dhcp', DHCPType.Client],
        ['cluster', DHCPType.DHCPNone],
      ],
    },
  },
  {
    name: 'with no port known to reach the controller every other port stays management, as last-resort does',
    input: { ports: [{ ifname: 'eth0' }, { ifname: 'eth1' }], label: 'eth1' },
    want: {
      io: [
        ['eth0', 'eth0', 'eth0', ETH, MGMT],
        ['eth1', 'eth1', 'eth1', ETH, SHARED],
      ],
      adapters: [
        ['eth0', true, 'dhcp'],
        ['eth1', false, 'cluster'],
      ],
      networks: [
        ['dhcp', DHCPType.Client],
        ['cluster', DHCPType.DHCPNone],
      ],
    },
  },
  {
    name: 'a port with DHCP outside the appliance subnet is not kept as management',
    input: {
      ports: [
        { ifname: 'eth0', mgmt: true },
        { ifname: 'eth1', mgmt: true, subnet: '172.16.5.0/24', ipv4: ['172.16.5.9'] },
      ],
      label: 'eth1',
      applianceSubnets: ['192.168.1.0/24'],
    },
    want: {
      io: [
        ['eth0', 'eth0', 'eth0', ETH, MGMT],
        ['eth1', 'eth1', 'eth1', ETH, SHARED],
      ],
      adapters: [
        ['eth0', true, 'dhcp'],
        ['eth1', false, 'cluster'],
      ],
      networks: [
        ['dhcp', DHCPType.Client],
        ['cluster', DHCPType.DHCPNone],
      ],
    },
  },
];

describe('buildPortModel', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(summary(input.ports, input.label, 'applianceSubnets' in input ? input.applianceSubnets : [])).toEqual(want);
  });
});

describe('network UUIDs', () => {
  it.each([
    // RFC 9562 / Python uuid.uuid5(NAMESPACE_DNS, 'python.org') known answer.
    {
      name: 'a name-based UUID matches the well-known version-5 answer',
      input: ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'],
      want: '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    },
  ])('$name', ({ input, want }) => {
    expect(nameUuid(input[0]!, input[1]!)).toBe(want);
  });

  it('are the same for every node and every call, and differ per cluster', () => {
    expect(networkUuids(CLUSTER_ID)).toEqual(nets);
    expect(nets.dhcp).not.toBe(nets.cluster);
    expect(networkUuids('00000000-0000-4000-8000-000000000001').dhcp).not.toBe(nets.dhcp);
  });
});
