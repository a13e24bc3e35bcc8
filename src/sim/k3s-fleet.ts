// Three stand-ins as one simulated cluster network: the loopback address map the demo uses instead of real
// cluster IPs (each cluster IP gets one 127.0.0.1 port for 6443 and one for 12346), leader election for EVE's
// report, and the failure switches (seedNeverInitialises, nodeDown, nodeUp).
import { freePort } from '../adapters/free-port.js';
import { type AddressMap, get, K3S_PORT, STATUS_PORT } from '../adapters/k3s-probe.js';
import type { EdgeDevConfig } from '../gen/config/devconfig_pb.js';
import type { ZInfoMsg } from '../gen/info/info_pb.js';
import { kubeClusterInfo } from './k3s-reports.js';
import { K3sScheduler } from './k3s-scheduler.js';
import { K3sStandin, type StandinDelays } from './k3s-standin.js';
import { WorkloadNode } from './workload-node.js';

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
  /** Node loss → eviction of its pods (EVE-k: 40 s + 15 s); the demo scales it down. */
  evictionMs?: number;
  seedNeverInitialises?: boolean;
  log?: (msg: string) => void;
}

export class K3sFleet {
  readonly nodes = new Map<string, K3sStandin>();
  /** What K3s does with the apps' replica sets (k3s-scheduler.ts). */
  readonly scheduler: K3sScheduler;
  /** When each node went down, and when each node's READY last changed (the leader reports it). */
  private readonly downSince = new Map<string, number>();
  private readonly readyChanged = new Map<string, { up: boolean; at: number }>();

  constructor(private readonly o: FleetOptions) {
    this.scheduler = new K3sScheduler(o.evictionMs);
  }

  /** One scheduler pass over a node's config (every node has the same apps, §1). */
  schedule(config: EdgeDevConfig | undefined, created: (appUuid: string) => boolean, now = Date.now()): void {
    const byUuid = (u: string) => [...this.nodes.values()].find((s) => s.o.uuid === u)?.nodeName ?? '';
    const nodes = [...this.nodes.values()].map((s) => {
      const since = this.downSince.get(s.o.name);
      return { name: s.nodeName, up: s.isMember, ...(since !== undefined ? { downSince: since } : {}) };
    });
    this.scheduler.tick(WorkloadNode.schedApps(config, byUuid), nodes, now, created);
  }

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
    this.downSince.set(name, Date.now());
    await this.must(name).stop();
  }

  async nodeUp(name: string): Promise<void> {
    this.downSince.delete(name);
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
        return { member, up, since: this.readySince(member.uuid, up) };
      }),
    );
    return { from, msg: kubeClusterInfo(this.o.clusterId, health, Date.now(), this.scheduler.report()) };
  }

  /** The READY condition's last transition, as the leader keeps it per node. */
  private readySince(uuid: string, up: boolean): number {
    const prev = this.readyChanged.get(uuid);
    if (prev?.up === up) return prev.at;
    const at = Date.now();
    this.readyChanged.set(uuid, { up, at });
    return at;
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
