// Three stand-ins as one simulated cluster network: the loopback address map the demo uses instead of real
// cluster IPs (each cluster IP gets one 127.0.0.1 port for 6443 and one for 12346), leader election for EVE's
// report, and the failure switches (seedNeverInitialises, nodeDown, nodeUp).
import { freePort } from '../adapters/free-port.js';
import { type AddressMap, get, K3S_PORT, STATUS_PORT } from '../adapters/k3s-probe.js';
import type { ZInfoMsg } from '../gen/info/info_pb.js';
import { kubeClusterInfo } from './k3s-reports.js';
import { K3sStandin, type StandinDelays } from './k3s-standin.js';

/**
 * Cluster IP → loopback ports. Unknown addresses go to 127.0.0.1:1 (nothing listens there), so the demo never
 * sends a packet off this machine.
 */
export class LoopbackMap {
  private readonly ports = new Map<string, { api: number; status: number }>();

  static fixed(ips: string[], basePort: number): LoopbackMap {
    const m = new LoopbackMap();
    for (const [i, ip] of ips.entries()) m.ports.set(ip, { api: basePort + 2 * i, status: basePort + 2 * i + 1 });
    return m;
  }

  /** Ports the kernel picks free now (tests). */
  static async free(ips: string[]): Promise<LoopbackMap> {
    const m = new LoopbackMap();
    for (const ip of ips) m.ports.set(ip, { api: await freePort(), status: await freePort() });
    return m;
  }

  listenFor(ip: string): { api: { host: string; port: number }; status: { host: string; port: number } } {
    const p = this.ports.get(ip);
    if (!p) throw new Error(`no loopback ports for ${ip}`);
    return { api: { host: '127.0.0.1', port: p.api }, status: { host: '127.0.0.1', port: p.status } };
  }

  readonly route: AddressMap = (ip, port) => {
    const p = this.ports.get(ip);
    if (p && port === K3S_PORT) return { host: '127.0.0.1', port: p.api };
    if (p && port === STATUS_PORT) return { host: '127.0.0.1', port: p.status };
    return { host: '127.0.0.1', port: 1 };
  };
}

export interface FleetNode {
  uuid: string;
  name: string;
  clusterIp: string;
}

export interface FleetOptions {
  clusterId: string;
  joinServerIp: string;
  map: LoopbackMap;
  delays?: Partial<StandinDelays>;
  seedNeverInitialises?: boolean;
  log?: (msg: string) => void;
}

export class K3sFleet {
  readonly nodes = new Map<string, K3sStandin>();

  constructor(private readonly o: FleetOptions) {}

  /** Starts one node's stand-in once it has decrypted its token (SimNode's onToken). */
  async startNode(n: FleetNode, token: string): Promise<K3sStandin> {
    const s = new K3sStandin({
      token,
      clusterId: this.o.clusterId,
      clusterIp: n.clusterIp,
      joinServerIp: this.o.joinServerIp,
      name: n.name,
      uuid: n.uuid,
      listen: this.o.map.listenFor(n.clusterIp),
      route: this.o.map.route,
      ...(this.o.delays ? { delays: this.o.delays } : {}),
      ...(this.o.seedNeverInitialises ? { seedNeverInitialises: true } : {}),
      ...(this.o.log ? { log: this.o.log } : {}),
    });
    this.nodes.set(n.name, s);
    await s.start();
    return s;
  }

  async nodeDown(name: string): Promise<void> {
    await this.must(name).stop();
  }

  async nodeUp(name: string): Promise<void> {
    await this.must(name).start();
  }

  /** EVE elects one reporting leader among members that reach the API (Lease eve-kube-stats-leader). */
  leader(): K3sStandin | undefined {
    const live = [...this.nodes.values()].filter((s) => s.isMember);
    return live.find((s) => s.seed) ?? live[0];
  }

  /** The leader's ZInfoKubeCluster: a member is READY when it answers /ping (its kubelet heartbeats). */
  async leaderReport(): Promise<{ from: K3sStandin; msg: ZInfoMsg } | undefined> {
    const from = this.leader();
    if (!from) return undefined;
    const health = await Promise.all(
      from.memberList().map(async (member) => {
        const up = await get(this.o.map.route, member.ip, K3S_PORT, '/ping', { timeoutMs: 500, tls: {} })
          .then((r) => r.status === 200)
          .catch(() => false);
        return { member, up };
      }),
    );
    return { from, msg: kubeClusterInfo(this.o.clusterId, health) };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((s) => s.stop()));
  }

  private must(name: string): K3sStandin {
    const s = this.nodes.get(name);
    if (!s) throw new Error(`no stand-in named ${name}`);
    return s;
  }
}
