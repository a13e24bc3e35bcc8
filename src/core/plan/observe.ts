// EVE info messages → NIC observations for mergeInventory.
import type { NetworkDevice } from '../../gen/info/hardware_pb.js';
import { NetworkDeviceType } from '../../gen/info/hardware_pb.js';
import type { DevicePort, ZInfoDevice } from '../../gen/info/info_pb.js';
import type { NicObservation, NicType } from './inventory.js';
import { parsePrefix } from './ipv4.js';

/** Ports of the config EVE is currently using: only status[currentIndex] carries runtime state (eve-api-facts §4.3). */
export function currentPorts(info: ZInfoDevice): DevicePort[] {
  const sa = info.systemAdapter;
  return sa?.status[sa.currentIndex]?.ports ?? [];
}

export function observePorts(ports: DevicePort[]): NicObservation[] {
  return ports.map((p) => ({
    source: 'eve-port',
    mac: p.macAddr,
    ifname: p.ifname || undefined,
    label: p.name || undefined,
    up: p.up,
    // IPAddrs are plain addresses without /N; the cluster IP, if any, comes last (eve-api-facts §4.3).
    ipv4: p.IPAddrs.filter((a) => !a.includes(':')),
    // DevicePort.subnet falls back to an IPv6 subnet when the port has no IPv4 one.
    subnet: parsePrefix(p.subnet) ? p.subnet : undefined,
    isMgmt: p.isMgmt,
  }));
}

const types: Partial<Record<NetworkDeviceType, NicType>> = {
  [NetworkDeviceType.ETHERNET]: 'ethernet',
  [NetworkDeviceType.ETH_PF]: 'ethernet',
  [NetworkDeviceType.ETH_VF]: 'vf',
  [NetworkDeviceType.WIFI]: 'wifi',
  [NetworkDeviceType.WWAN]: 'wwan',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export function observeNetworkDevices(devices: NetworkDevice[]): NicObservation[] {
  return devices.map((d) => {
    const pci = d.parent?.pciParent;
    return {
      source: 'eve-hw',
      mac: d.macAddress,
      ifname: d.ifname || undefined,
      // speed_mbps is 0 when the kernel reports no link speed (eve-api-facts §4.3).
      speedMbps: d.speedMbps || undefined,
      pci: pci ? `${hex(pci.domain, 4)}:${hex(pci.bus, 2)}:${hex(pci.device, 2)}.${pci.function}` : undefined,
      type: types[d.type] ?? 'unknown',
    };
  });
}

/** The NICs of iPXE's identity report (`nics: [{mac, link}]`, core/boot/identity.ts): MAC and link state at boot. */
export function observeIpxeReport(nics: unknown): NicObservation[] {
  if (!Array.isArray(nics)) return [];
  return nics.flatMap((n: { mac?: unknown; link?: unknown }) => {
    if (typeof n?.mac !== 'string') return [];
    const up = n.link === 'up' ? true : n.link === 'down' ? false : undefined;
    return [{ source: 'ipxe' as const, mac: n.mac, ...(up === undefined ? {} : { up }) }];
  });
}
