// The ZInfoMsg a simulated node sends about itself: manufacturer info and its ports as EVE's last-resort
// config names them (label = ifname, every Ethernet port management; eve-api-facts §4.3), plus link speeds.
import { create } from '@bufbuild/protobuf';
import type { NicObservation } from '../core/plan/inventory.js';
import { NetworkDeviceType } from '../gen/info/hardware_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema, ZInfoTypes } from '../gen/info/info_pb.js';

export interface SimNic {
  ifname: string;
  mac: string;
  up: boolean;
  /** Has a DHCP address from the site LAN. */
  ipv4?: string;
  subnet?: string;
  speedMbps: number;
  /** Which switch it is cabled to (the simulator's topology, known to the rehearsal harness). */
  segment: string;
}

export function deviceInfo(serial: string, nics: SimNic[], smbiosUuid = ''): ZInfoMsg {
  return create(ZInfoMsgSchema, {
    ztype: ZInfoTypes.ZiDevice,
    InfoContent: {
      case: 'dinfo',
      value: {
        machineArch: 'x86_64',
        minfo: { serialNumber: serial, manufacturer: 'eveboot-sim', productName: 'sim-node', UUID: smbiosUuid },
        optionalCapabilities: { hvTypeKubevirt: true },
        systemAdapter: {
          currentIndex: 0,
          status: [
            {
              key: 'lastresort',
              ports: nics.map((n) => ({
                ifname: n.ifname,
                name: n.ifname,
                isMgmt: true,
                macAddr: n.mac,
                up: n.up,
                IPAddrs: n.ipv4 ? [n.ipv4] : [],
                subnet: n.subnet ?? '',
              })),
            },
          ],
        },
      },
    },
  });
}

export function hardwareInfo(nics: SimNic[]): ZInfoMsg {
  return create(ZInfoMsgSchema, {
    ztype: ZInfoTypes.ZiHardware,
    InfoContent: {
      case: 'hwinfo',
      value: {
        eveRelease: '16.0.0-k-amd64',
        inventory: {
          networkDevices: nics.map((n) => ({
            ifname: n.ifname,
            macAddress: n.mac,
            type: NetworkDeviceType.ETHERNET,
            speedMbps: n.speedMbps,
          })),
        },
      },
    },
  });
}

/** What the rehearsal harness knows of the cabling: one 'sim' observation per NIC. */
export function topology(nics: SimNic[]): NicObservation[] {
  return nics.map((n) => ({ source: 'sim', mac: n.mac, ifname: n.ifname, segment: n.segment, up: n.up }));
}

/** Two ports per node: eth0 on the site LAN (DHCP, management), eth1 on a dedicated cluster switch. */
export function standardNics(index: number, opts: { cableEth1?: boolean } = {}): SimNic[] {
  const mac = (k: number) => `52:54:00:de:${index.toString(16).padStart(2, '0')}:${k.toString(16).padStart(2, '0')}`;
  return [
    {
      ifname: 'eth0',
      mac: mac(0),
      up: true,
      ipv4: `192.168.77.${10 + index}`,
      subnet: '192.168.77.0/24',
      speedMbps: 1000,
      segment: 'site-lan',
    },
    {
      ifname: 'eth1',
      mac: mac(1),
      up: opts.cableEth1 ?? true,
      speedMbps: 10000,
      segment: opts.cableEth1 === false ? 'unplugged' : 'cluster-switch',
    },
  ];
}
