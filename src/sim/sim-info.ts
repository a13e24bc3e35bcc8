// The ZInfoMsg a simulated node sends about itself, field by field as EVE's zedagent fills them: ZInfoDevice with
// its ports as the last-resort config names them (label = ifname, every Ethernet port management), and
// ZInfoHardware with the NIC inventory and link speeds. Nothing EVE leaves unset is set here.
import { create } from '@bufbuild/protobuf';
import { type Timestamp, timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { NicObservation } from '../core/plan/inventory.js';
import { DHCPType, NetworkConfigOrigin } from '../gen/evecommon/netcmn_pb.js';
import { NetworkDeviceType } from '../gen/info/hardware_pb.js';
import { Severity, ZDeviceState, type ZInfoMsg, ZInfoMsgSchema, ZInfoTypes } from '../gen/info/info_pb.js';

export interface SimNic {
  ifname: string;
  mac: string;
  up: boolean;
  /** Has a DHCP address from the site LAN. */
  ipv4?: string;
  subnet?: string;
  /** Default router and DNS server the DHCP server gave. */
  gateway?: string;
  speedMbps: number;
  /** Which switch it is cabled to (the simulator's topology, known to the rehearsal harness). */
  segment: string;
}

/** The nil UUID as Go formats uuid.UUID{}: last-resort ports reference no network object. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * One port of the current port config, as zedagent encodeNetworkPortStatus (reportinfo.go) fills it from the
 * port's network status: every field it sets unconditionally (err from the connectivity tests, proxy, config
 * source, PNAC status) is present; cost 0 means free; last-resort ports use DHCP and reference no network.
 */
function devicePort(n: SimNic, at: Timestamp) {
  return {
    ifname: n.ifname,
    name: n.ifname,
    err: n.ipv4
      ? { timestamp: at }
      : { description: `port ${n.ifname}: no suitable IP address`, severity: Severity.ERROR, timestamp: at },
    cost: 0,
    isMgmt: true,
    free: true,
    networkUUID: NIL_UUID,
    configSource: { origin: NetworkConfigOrigin.LASTRESORT, submittedAt: at },
    dhcpType: DHCPType.Client,
    subnet: n.subnet ?? '',
    up: n.up,
    mtu: 1500,
    proxy: {},
    macAddr: n.mac,
    IPAddrs: n.ipv4 ? [n.ipv4] : [],
    defaultRouters: n.gateway ? [n.gateway] : [],
    dns: { DNSservers: n.gateway ? [n.gateway] : [] },
    // PNAC off: enabled false, no error (ErrorDescription.ToProto gives nil without an error time).
    pnacStatus: {},
  };
}

/** ZInfoDevice of a QEMU q35 node running EVE-k, ports as the last-resort config names them. */
export function deviceInfo(serial: string, nics: SimNic[], smbiosUuid = '', now = Date.now()): ZInfoMsg {
  const at = timestampFromMs(now);
  return create(ZInfoMsgSchema, {
    ztype: ZInfoTypes.ZiDevice,
    InfoContent: {
      case: 'dinfo',
      value: {
        machineArch: 'x86_64',
        cpuArch: 'x86_64',
        platform: 'QEMU.Standard PC (Q35 + ICH9, 2009)',
        ncpu: 4,
        memory: 8192n,
        storage: 65536n,
        minfo: {
          manufacturer: 'QEMU',
          productName: 'Standard PC (Q35 + ICH9, 2009)',
          version: 'pc-q35-8.2',
          serialNumber: serial,
          UUID: smbiosUuid,
          ...SIM_BIOS,
        },
        bootTime: timestampFromMs(now - 60_000),
        state: ZDeviceState.ZDEVICE_STATE_ONLINE,
        optionalCapabilities: { hvTypeKubevirt: true, hwInventorySupport: true },
        systemAdapter: {
          currentIndex: 0,
          status: [
            {
              version: 1,
              key: 'lastresort',
              timePriority: at,
              lastSucceeded: at,
              ports: nics.map((n) => devicePort(n, at)),
            },
          ],
        },
      },
    },
  });
}

/** BIOS fields as dmidecode reports them for OVMF (the firmware version in the quote joins them with '-'). */
const SIM_BIOS = { biosVendor: 'EFI Development Kit II / OVMF', biosVersion: '0.0.0', biosReleaseDate: '02/06/2015' };

/**
 * ZInfoHardware as zedagent hardwareinfo.go builds it: release, platform, partition, kernel, and the inventory
 * of pkg/pillar/hardware/inventory.go (NICs from ghw: ifname, MAC, type guessed from the name, link speed, PCI
 * parent; memory, storage, TPM).
 */
export function hardwareInfo(nics: SimNic[]): ZInfoMsg {
  return create(ZInfoMsgSchema, {
    ztype: ZInfoTypes.ZiHardware,
    InfoContent: {
      case: 'hwinfo',
      value: {
        eveRelease: '17.3.0-k-amd64',
        evePlatform: 'QEMU.Standard PC (Q35 + ICH9, 2009)',
        partition: 'IMGA',
        kernelVersion: '6.12.49-linuxkit',
        kernelFlavor: 'generic',
        kernelCmdline: 'rootdelay=3 console=ttyS0 eve_flavor=k',
        inventory: {
          networkDevices: nics.map((n, i) => ({
            parent: { pciParent: { domain: 0, bus: 0, device: 2 + i, function: 0 } },
            ifname: n.ifname,
            macAddress: n.mac,
            type: NetworkDeviceType.ETHERNET,
            speedMbps: n.speedMbps,
          })),
          totalMemoryBytes: 8n * 1024n ** 3n,
          totalStorageBytes: 64n * 1024n ** 3n,
          tpm: { present: true, manufacturer: 'IBM', firmwareVersion: '2.1.0', specVersion: '2.0' },
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
      gateway: '192.168.77.1',
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
