// One simulated EVE node in its own network namespace, with real NICs: the ports it reports are read from the
// kernel, and the cluster config is applied as EVE does (eve-api-facts §5): the cluster IP is added to the cluster
// port, then "K3s" (the stand-in) starts on that IP: the seed at once, joiners once the seed's :12346/status
// answers (§5.4). The elected leader sends ZInfoKubeCluster (§5.5).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { directRoute, get, K3S_PORT } from '../adapters/k3s-probe.js';
import { BROADCAST_IP, ipToInt } from '../core/dhcp/address.js';
import { formatPrefix, parseIpv4, parsePrefix } from '../core/plan/ipv4.js';
import type { EdgeDevConfig } from '../gen/config/devconfig_pb.js';
import type { EdgeNodeCluster } from '../gen/config/edge_node_cluster_pb.js';
import { NetworkConfigOrigin } from '../gen/evecommon/netcmn_pb.js';
import type { ZInfoMsg } from '../gen/info/info_pb.js';
import { kubeClusterInfo } from './k3s-reports.js';
import { K3sStandin, type StandinDelays } from './k3s-standin.js';
import { createAsyncLock, type NetbootResult, netbootSimNode, simSmbiosUuid } from './sim-firmware.js';
import { deviceInfo, type SimNic } from './sim-info.js';

const SYS = '/sys/class/net';
/** ARPHRD_ETHER (linux/if_arp.h): /sys/class/net/<if>/type of Ethernet ports, veths included. */
const ARPHRD_ETHER = '1';

function sys(ifname: string, file: string): string | undefined {
  try {
    return readFileSync(`${SYS}/${ifname}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** This namespace's Ethernet ports as EVE reports them: MAC, link, first IPv4 address and its subnet, speed. */
export function readNics(): SimNic[] {
  const addrs = networkInterfaces();
  return readdirSync(SYS)
    .filter((n) => n !== 'lo' && sys(n, 'type') === ARPHRD_ETHER)
    .sort()
    .map((ifname) => {
      const v4 = (addrs[ifname] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
      const subnet = v4?.cidr ? parsePrefix(v4.cidr) : undefined;
      const speed = Number(sys(ifname, 'speed'));
      const nic: SimNic = {
        ifname,
        mac: sys(ifname, 'address') ?? '',
        up: sys(ifname, 'operstate') === 'up',
        speedMbps: Number.isFinite(speed) ? Math.max(speed, 0) : 0,
        // Real ports: the segment is for the appliance to find out from evidence, not for us to tell it.
        segment: '',
      };
      if (v4) nic.ipv4 = v4.address;
      if (subnet) nic.subnet = formatPrefix(subnet);
      return nic;
    });
}

/** cluster_interface is a logical label; the port model in the same config pins it to a Linux name. */
export function clusterIfname(config: EdgeDevConfig | undefined, label: string): string {
  const io = config?.deviceIoList.find((d) => d.logicallabel === label);
  // EVE matches phyaddrs keys case-insensitively.
  const pinned = Object.entries(io?.phyaddrs ?? {}).find(([k]) => k.toLowerCase() === 'ifname')?.[1];
  return pinned || io?.phylabel || label;
}

/**
 * ZInfoDevice once the controller's port model is applied: the ports as before, under the DPC key "zedagent",
 * each management only if its SystemAdapter is an uplink (a dedicated cluster port is not).
 */
export function appliedDeviceInfo(serial: string, nics: SimNic[], config: EdgeDevConfig | undefined): ZInfoMsg {
  const msg = deviceInfo(serial, nics);
  const adapters = config?.systemAdapterList ?? [];
  if (msg.InfoContent.case !== 'dinfo' || adapters.length === 0) return msg;
  for (const status of msg.InfoContent.value.systemAdapter?.status ?? []) {
    status.key = 'zedagent';
    for (const port of status.ports) {
      const a = adapters.find((x) => x.name === port.name);
      if (a) port.isMgmt = a.uplink;
      if (a) port.networkUUID = a.networkUUID;
      if (port.configSource) port.configSource.origin = NetworkConfigOrigin.CONTROLLER;
    }
  }
  return msg;
}

/** EVE adds cluster_ip_prefix as an extra static address on the cluster port (§5.1); `replace` is idempotent. */
export function addClusterIp(ifname: string, ipPrefix: string): void {
  execFileSync('ip', ['addr', 'replace', ipPrefix, 'dev', ifname], { stdio: 'ignore' });
  execFileSync('ip', ['link', 'set', ifname, 'up'], { stdio: 'ignore' });
}

export interface ClusterSideOptions {
  uuid: () => string;
  delays?: Partial<StandinDelays>;
  log: (event: Record<string, unknown>) => void;
}

/** The cluster half of one node: applies the config, runs the stand-in, reports when it is the leader. */
export class NetnsClusterSide {
  standin?: K3sStandin;
  private leading = false;

  constructor(
    private readonly o: ClusterSideOptions,
    private readonly config: () => EdgeDevConfig | undefined,
  ) {}

  /** SimNode's onCluster: a new cluster part (first config, or the seed moved). */
  async apply(token: string, c: EdgeNodeCluster, deviceName: string): Promise<void> {
    const ifname = clusterIfname(this.config(), c.clusterInterface);
    addClusterIp(ifname, c.clusterIpPrefix);
    const ip = c.clusterIpPrefix.split('/')[0]!;
    await this.standin?.stop();
    this.standin = new K3sStandin({
      token,
      clusterId: c.clusterId,
      clusterIp: ip,
      joinServerIp: c.joinServerIp,
      name: deviceName,
      uuid: this.o.uuid(),
      // K3s and zedkube bind the node's own cluster IP (node-ip, §5.2): reachable only over the cluster port.
      listen: { api: { host: ip, port: K3S_PORT }, status: { host: ip, port: 12346 } },
      route: directRoute,
      ...(this.o.delays ? { delays: this.o.delays } : {}),
      log: (m) => this.o.log({ type: 'sim.k3s', msg: m }),
    });
    const role = this.standin.seed ? 'seed' : 'joiner';
    this.o.log({
      type: 'sim.cluster.applied',
      ifname,
      clusterIp: c.clusterIpPrefix,
      joinServerIp: c.joinServerIp,
      role,
    });
    await this.standin.start();
    const s = this.standin;
    void s.whenMember().then(() => this.o.log({ type: 'sim.k3s.member', members: s.memberList().length }));
  }

  /**
   * EVE elects one reporter (Lease eve-kube-stats-leader, §5.5) among members that reach the cluster API. The
   * stand-in's rule, the same on every node without coordination: the live member with the lowest cluster IP,
   * which is the seed while it lives. Each member is READY when its /ping answers (its kubelet heartbeats).
   */
  async reports(): Promise<ZInfoMsg[]> {
    const s = this.standin;
    if (!s?.isMember) return [];
    const health = await Promise.all(
      s.memberList().map(async (member) => {
        const up =
          member.ip === s.o.clusterIp ||
          (await get(directRoute, member.ip, K3S_PORT, '/ping', { timeoutMs: 500, tls: {} })
            .then((r) => r.status === 200)
            .catch(() => false));
        return { member, up };
      }),
    );
    const live = health.filter((h) => h.up).map((h) => h.member.ip);
    const leader = live.sort((a, b) => (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0))[0];
    const leading = leader === s.o.clusterIp;
    if (leading !== this.leading) this.o.log({ type: 'sim.leader', leading });
    this.leading = leading;
    return leading ? [kubeClusterInfo(s.o.clusterId, health)] : [];
  }

  async stop(): Promise<void> {
    await this.standin?.stop();
  }
}

/**
 * PXE-boots this namespace's `ifname` from whatever DHCP server is on its segment, over the standard ports (DHCP
 * 67/68, TFTP 69), as the node's firmware and iPXE would: DHCP from 0.0.0.0 to the broadcast address, the leased
 * address put on the port, then TFTP, iPXE's DHCP, the HTTP chain and the stand-in installer (sim-firmware.ts).
 */
export async function netbootOnNic(o: {
  ifname: string;
  serial: string;
  signal: AbortSignal;
  log: (m: string) => void;
}) {
  const nics = readNics();
  const boot = nics.find((n) => n.ifname === o.ifname);
  if (!boot) throw new Error(`netboot: no Ethernet port ${o.ifname} in this namespace`);
  // A PXE ROM sends its DISCOVER as a raw frame; a UDP socket with no address needs a route out of the port.
  execFileSync('ip', ['route', 'replace', 'default', 'dev', o.ifname], { stdio: 'ignore' });
  const result: NetbootResult = await netbootSimNode({
    mac: boot.mac,
    serial: o.serial,
    smbiosUuid: simSmbiosUuid(o.serial),
    nics: nics.map((n) => ({ mac: n.mac, up: n.up })),
    server: BROADCAST_IP,
    dhcpPort: 67,
    dhcpClientPort: 68,
    dhcpBindAddress: '0.0.0.0',
    tftpPort: 69,
    dhcpLock: createAsyncLock(),
    signal: o.signal,
    log: o.log,
    onLease: (lease) => {
      const bits = (ipToInt(lease.subnetMask ?? '255.255.255.0') >>> 0).toString(2).replace(/0+$/, '').length;
      execFileSync('ip', ['addr', 'replace', `${lease.ip}/${bits}`, 'dev', o.ifname], { stdio: 'ignore' });
    },
  });
  return result;
}
