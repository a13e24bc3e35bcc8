// The site for the netns cluster e2e test: an appliance namespace, a site LAN switch and a cluster switch (bridge
// namespaces), three node namespaces with eth0 on the site LAN and eth1 on the cluster switch. `eveboot serve`
// runs in the appliance namespace, one `eveboot sim-node` in each node namespace. Names carry our pid.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/process.js';
import { exited, Lines, Netns, sh } from './dhcp-netns.js';

export const TOKEN = 'netns-e2e-operator-access-token';
const UI_PORT = 8088;
export const NODES = [1, 2, 3].map((i) => ({ serial: `NETNS-000${i}`, name: `edge-${i}`, siteIp: `192.168.90.1${i}` }));
/** Inside the cluster /28 but above what the planner hands out (.1-.3), so the appliance reaches the cluster IPs. */
const APPLIANCE_CLUSTER_LEG = '10.244.244.14/28';

export type Event = Record<string, unknown> & { type: string; node?: string; data: Record<string, unknown> };

export function siteYaml(clusterInterface?: string): string {
  const override = clusterInterface ? `, clusterInterface: ${clusterInterface}` : '';
  return `site: { name: netns }
cluster: { name: netns-cluster, prefix: 10.244.244.0/28 }
nodes:
${NODES.map((n) => `  - { serial: ${n.serial}, name: ${n.name}${override} }`).join('\n')}
onboarding: { policy: allowlist }
listen: { advertise: 192.168.90.1, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, tftpPort: 6969, dhcpPort: 6767, uiPort: ${UI_PORT} }
ui: { accessToken: ${TOKEN} }
`;
}

export interface SimNodeProc {
  proc: ChildProcess;
  lines: Lines;
}

export class ClusterSite {
  readonly net = new Netns();
  readonly dir = mkdtempSync(join(tmpdir(), 'eveboot-netns-cluster-'));
  readonly nodeNs: string[] = [];
  private readonly stderr = new Map<ChildProcess, string>();
  app = '';

  /** The appliance's address inside the cluster prefix goes on its leg to `clusterSwitch` ('csw' or 'site'). */
  build(clusterLeg: 'csw' | 'site' = 'csw'): void {
    const { net } = this;
    this.app = net.ns('app');
    const site = net.ns('site');
    const csw = net.ns('csw');
    for (const sw of [site, csw]) {
      sh('ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
      sh('ip', '-n', sw, 'link', 'set', 'br0', 'up');
    }
    net.veth(this.app, 'site0', site, 'app', '192.168.90.1/24');
    net.veth(this.app, 'clu0', csw, 'app');
    this.moveClusterLeg(clusterLeg);
    for (const [i, n] of NODES.entries()) {
      const ns = net.ns(`n${i + 1}`);
      this.nodeNs.push(ns);
      net.veth(ns, 'eth0', site, `n${i + 1}`, `${n.siteIp}/24`);
      net.veth(ns, 'eth1', csw, `n${i + 1}`);
    }
    for (const sw of [site, csw]) {
      for (const port of ['app', 'n1', 'n2', 'n3']) sh('ip', '-n', sw, 'link', 'set', port, 'master', 'br0');
    }
  }

  moveClusterLeg(to: 'csw' | 'site'): void {
    for (const dev of ['site0', 'clu0']) {
      try {
        sh('ip', '-n', this.app, 'addr', 'del', APPLIANCE_CLUSTER_LEG, 'dev', dev);
      } catch {
        // not there
      }
    }
    sh('ip', '-n', this.app, 'addr', 'add', APPLIANCE_CLUSTER_LEG, 'dev', to === 'csw' ? 'clu0' : 'site0');
  }

  /** Every node port back to its factory state: the cluster IPs a previous run added are gone. */
  resetNodes(): void {
    for (const ns of this.nodeNs) {
      for (const dev of ['eth0', 'eth1']) {
        const addrs = sh('ip', '-n', ns, '-4', '-o', 'addr', 'show', 'dev', dev).match(/10\.244\.244\.\d+\/28/g) ?? [];
        for (const a of addrs) sh('ip', '-n', ns, 'addr', 'del', a, 'dev', dev);
      }
    }
  }

  stderrOf(proc: ChildProcess): string {
    return this.stderr.get(proc) ?? '';
  }

  private drain(proc: ChildProcess): ChildProcess {
    this.stderr.set(proc, '');
    proc.stderr?.on('data', (c: Buffer) => this.stderr.set(proc, (this.stderrOf(proc) + c.toString()).slice(-4000)));
    return proc;
  }

  /** `eveboot serve --headless` in the appliance namespace, probing the cluster IPs directly. */
  serve(state: string, siteFile: string): { proc: ChildProcess; lines: Lines } {
    const proc = this.drain(
      this.net.spawn(this.app, [
        ...[process.execPath, '--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve', '--headless', '--no-netboot'],
        ...['--probe-cluster', '--log-level', 'warn', '--state', state, '--site', siteFile],
      ]),
    );
    return { proc, lines: new Lines(proc) };
  }

  simNode(i: number, state: string, extra: string[] = []): SimNodeProc {
    const proc = this.drain(
      this.net.spawn(this.nodeNs[i]!, [
        ...[process.execPath, '--import', 'tsx', join(ROOT, 'test/e2e/netns-sim-node-runner.ts')],
        ...['--server', '192.168.90.1:8443', '--state', state, '--serial', NODES[i]!.serial],
        ...['--poll-ms', '1000', '--k3s-delay-ms', '500', ...extra],
      ]),
    );
    return { proc, lines: new Lines(proc) };
  }

  /** Rejects as soon as any of the nodes exits (before the test stops it), with its stderr. */
  anyDied(nodes: SimNodeProc[]): Promise<never> {
    const died = Promise.race(
      nodes.map(({ proc }) =>
        exited(proc).then((code) => Promise.reject(new Error(`a sim-node exited (${code}): ${this.stderrOf(proc)}`))),
      ),
    );
    died.catch(() => {});
    return died;
  }

  /** The operator API, from inside the appliance namespace (it listens on its loopback). */
  api<T = unknown>(path: string): T {
    const url = `http://127.0.0.1:${UI_PORT}${path}`;
    return JSON.parse(sh('ip', 'netns', 'exec', this.app, 'curl', '-sf', '-H', `Authorization: Bearer ${TOKEN}`, url));
  }

  async apiUp<T = Record<string, unknown>[]>(ms = 20_000): Promise<T> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      try {
        return this.api<T>('/api/v1/clusters');
      } catch {
        // not listening yet
      }
    }
    throw new Error('the operator API did not come up');
  }

  writeSite(name: string, yaml: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, yaml);
    return path;
  }

  cleanup(): void {
    // swtpm children of a SIGKILLed node outlive it: end every process still in our namespaces, by pid.
    for (const ns of this.net.namespaces) {
      for (const pid of sh('ip', 'netns', 'pids', ns).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    this.net.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
