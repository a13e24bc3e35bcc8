import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { mergeInventory, type NicObservation, normaliseMac } from '../../../src/core/plan/inventory.js';
import { currentPorts, observeNetworkDevices, observePorts } from '../../../src/core/plan/observe.js';
import { NetworkDeviceSchema, NetworkDeviceType } from '../../../src/gen/info/hardware_pb.js';
import { DevicePortSchema, ZInfoDeviceSchema } from '../../../src/gen/info/info_pb.js';

const MAC = '52:54:00:aa:bb:01';

const cases: { name: string; input: NicObservation[]; want: Record<string, unknown>[] }[] = [
  {
    name: 'sightings of one NIC in different MAC spellings merge into one',
    input: [
      { source: 'ipxe', mac: '52-54-00-AA-BB-01', up: true, speedMbps: 1000 },
      { source: 'dhcp', mac: '5254.00aa.bb01', applianceIf: 'eth1' },
      { source: 'dhcp', mac: '525400AABB01', applianceIf: 'br0' },
    ],
    want: [{ mac: MAC, up: true, speedMbps: 1000, applianceIfs: ['br0', 'eth1'], sources: ['dhcp', 'ipxe'] }],
  },
  {
    name: 'EVE’s port report outranks what iPXE saw at boot',
    input: [
      { source: 'ipxe', mac: MAC, ifname: 'net0', up: true },
      { source: 'eve-port', mac: MAC, ifname: 'eth0', label: 'eth0', up: false, isMgmt: true },
    ],
    want: [{ ifname: 'eth0', label: 'eth0', up: false, isMgmt: true }],
  },
  {
    name: 'link speed and PCI parent come from the hardware inventory',
    input: [
      { source: 'ipxe', mac: MAC, speedMbps: 100 },
      { source: 'eve-hw', mac: MAC, speedMbps: 10000, pci: '0000:03:00.0', type: 'ethernet' },
    ],
    want: [{ speedMbps: 10000, pci: '0000:03:00.0', type: 'ethernet' }],
  },
  {
    name: 'a later report from the same source replaces an earlier one',
    input: [
      { source: 'eve-port', mac: MAC, ifname: 'eth0', up: true, ipv4: ['192.168.1.5'] },
      { source: 'eve-port', mac: MAC, ifname: 'eth0', up: false, ipv4: [] },
    ],
    want: [{ up: false, ipv4: [] }],
  },
  {
    name: 'a DHCP packet alone proves the link was up',
    input: [{ source: 'dhcp', mac: MAC, applianceIf: 'eth1' }],
    want: [{ up: true, isMgmt: false, type: 'unknown' }],
  },
  {
    name: 'garbage and all-zero MACs are dropped and NICs sort by natural ifname',
    input: [
      { source: 'eve-hw', mac: 'not-a-mac', ifname: 'eth0' },
      { source: 'eve-hw', mac: '00:00:00:00:00:00', ifname: 'eth0' },
      { source: 'eve-hw', mac: '02:00:00:00:00:10', ifname: 'eth10' },
      { source: 'eve-hw', mac: '02:00:00:00:00:02', ifname: 'eth2' },
    ],
    want: [{ ifname: 'eth2' }, { ifname: 'eth10' }],
  },
];

describe('mergeInventory', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(mergeInventory(input)).toMatchObject(want);
  });
});

describe('normaliseMac', () => {
  it.each([
    { name: 'colon form is lower-cased', input: 'AA:BB:CC:DD:EE:FF', want: 'aa:bb:cc:dd:ee:ff' },
    { name: 'a short MAC is refused', input: 'aa:bb:cc', want: undefined },
    { name: 'non-hex text is refused', input: 'zz:bb:cc:dd:ee:ff', want: undefined },
  ])('$name', ({ input, want }) => {
    expect(normaliseMac(input)).toBe(want);
  });
});

describe('EVE info → observations', () => {
  it('turns DevicePorts into eve-port observations, keeping IPv4 only', () => {
    const port = create(DevicePortSchema, {
      ifname: 'eth1',
      name: 'cluster0',
      isMgmt: false,
      macAddr: '52:54:00:AA:BB:02',
      up: true,
      IPAddrs: ['fe80::1', '10.244.244.2'],
      subnet: 'fe80::/64',
    });
    expect(observePorts([port])).toEqual([
      {
        source: 'eve-port',
        mac: '52:54:00:AA:BB:02',
        ifname: 'eth1',
        label: 'cluster0',
        up: true,
        ipv4: ['10.244.244.2'],
        subnet: undefined,
        isMgmt: false,
      },
    ]);
  });

  it('turns NetworkDevices into eve-hw observations with a PCI address and no zero speed', () => {
    const dev = create(NetworkDeviceSchema, {
      ifname: 'eth2',
      macAddress: '52:54:00:aa:bb:03',
      type: NetworkDeviceType.ETH_PF,
      speedMbps: 0,
      parent: { pciParent: { domain: 0, bus: 3, device: 0, function: 1 } },
    });
    expect(observeNetworkDevices([dev])).toEqual([
      {
        source: 'eve-hw',
        mac: '52:54:00:aa:bb:03',
        ifname: 'eth2',
        speedMbps: undefined,
        pci: '0000:03:00.1',
        type: 'ethernet',
      },
    ]);
  });

  it('reads ports only from the status at currentIndex, which alone carries runtime state', () => {
    const info = create(ZInfoDeviceSchema, {
      systemAdapter: {
        currentIndex: 1,
        status: [
          { key: 'lastresort', ports: [{ ifname: 'old' }] },
          { key: 'zedagent', ports: [{ ifname: 'eth0' }] },
        ],
      },
    });
    expect(currentPorts(info).map((p) => p.ifname)).toEqual(['eth0']);
    expect(currentPorts(create(ZInfoDeviceSchema, {}))).toEqual([]);
  });
});
