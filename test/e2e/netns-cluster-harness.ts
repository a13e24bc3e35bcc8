// The site for the netns cluster e2e test: an appliance namespace, a site LAN switch and a cluster switch (bridge
// namespaces), three node namespaces with eth0 on the site LAN and eth1 on the cluster switch. `eveboot serve`
// runs in the appliance namespace, one `eveboot sim-node` in each node namespace. Names carry our pid.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/process.js';
import { exited, Lines, Netns, sh, tag } from './dhcp-netns.js';

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

/** curl from inside namespace `ns`: the status and body, whatever the status. */
export function curlIn(
  ns: string,
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): { status: number; body: string } {
  const args = ['ip', 'netns', 'exec', ns, 'curl', '-s', '-o', '-', '-w', '\n%{http_code}', '-X', o.method ?? 'GET'];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (o.body !== undefined) args.push('--data-binary', o.body);
  const out = execFileSync(args[0]!, [...args.slice(1), url], { encoding: 'latin1', maxBuffer: 2 ** 27 });
  const nl = out.lastIndexOf('\n');
  return { status: Number(out.slice(nl + 1)), body: out.slice(0, nl) };
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

  /**
   * The appliance's address inside the cluster prefix goes on its leg to `clusterSwitch` ('csw' or 'site').
   * `netboot`: the nodes' eth0 ports carry these MACs and no address (they PXE-boot and lease one).
   */
  build(clusterLeg: 'csw' | 'site' = 'csw', netboot?: { macs: string[] }): void {
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
      net.veth(ns, 'eth0', site, `n${i + 1}`, netboot ? undefined : `${n.siteIp}/24`);
      if (netboot) sh('ip', '-n', ns, 'link', 'set', 'eth0', 'address', netboot.macs[i]!);
      net.veth(ns, 'eth1', csw, `n${i + 1}`);
    }
    for (const sw of [site, csw]) {
      for (const port of ['app', 'n1', 'n2', 'n3']) sh('ip', '-n', sw, 'link', 'set', port, 'master', 'br0');
    }
  }

  /** Another box on the site LAN (an attacker, a late claimant): a namespace whose eth0 is a port of the switch. */
  lanBox(name: string, mac: string): string {
    const ns = this.net.ns(name);
    this.net.veth(ns, 'eth0', `${tag}site`, name);
    sh('ip', '-n', ns, 'link', 'set', 'eth0', 'address', mac);
    sh('ip', '-n', `${tag}site`, 'link', 'set', name, 'master', 'br0');
    return ns;
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

  /** `eveboot serve` (default --headless --no-netboot) in the appliance namespace, probing the cluster IPs directly. */
  serve(state: string, siteFile: string, mode = ['--headless', '--no-netboot']): { proc: ChildProcess; lines: Lines } {
    const proc = this.drain(
      this.net.spawn(this.app, [
        ...[process.execPath, '--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve', ...mode],
        ...['--probe-cluster', '--log-level', 'warn', '--state', state, '--site', siteFile],
      ]),
    );
    return { proc, lines: new Lines(proc) };
  }

  /** Node i's `eveboot sim-node` (its serial), in its own namespace unless `ns` says another (an impostor's). */
  simNode(i: number, state: string, extra: string[] = [], ns = this.nodeNs[i]!): SimNodeProc {
    const proc = this.drain(
      this.net.spawn(ns, [
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

  /** Any operator API call from the appliance namespace, with the token unless `token` is false. */
  operator(method: string, path: string, body?: unknown, token = true): { status: number; body: string } {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${TOKEN}`;
    const o = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    return curlIn(this.app, `http://127.0.0.1:${UI_PORT}${path}`, o);
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
