// The site for the EVE-code peer test: `eveboot serve` (network boot on, DHCP off) in an appliance namespace,
// a site LAN switch, and one namespace per device with eth0 on the LAN at a fixed address (the one iPXE would
// have from DHCP). Each device gets its CONFIG through the simulator's iPXE path (eve-peer-fetch.ts) and then
// runs EVE's own controller client (test/eve-peer) in a private mount namespace (run-in-ns.sh).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDemoImage, prepareDemoIpxe } from '../../src/sim/demo-media.js';
import { simSmbiosUuid } from '../../src/sim/sim-firmware.js';
import { ROOT } from '../support/process.js';
import { exited, Lines, Netns, sh } from './dhcp-netns.js';

export const PEER_BIN = join(ROOT, 'test', 'eve-peer', 'bin', 'eve-peer');
const RUN_IN_NS = join(ROOT, 'test', 'eve-peer', 'run-in-ns.sh');
export const APP_IP = '192.168.91.1';
export const SUBNET = '192.168.91.0/24';
const UI_TOKEN = 'eve-peer-e2e-operator-access-token';
export const DEVICES = [1, 2, 3, 4].map((i) => ({
  serial: `EVEPEER-000${i}`,
  name: `peer-${i}`,
  mac: `52:54:00:e7:00:0${i}`,
  ip: `192.168.91.1${i}`,
}));

/** The first three are the site's nodes; the fourth is not listed anywhere. */
function siteYaml(): string {
  return `site: { name: evepeer }
cluster: { name: evepeer-cluster, prefix: 10.244.245.0/28 }
nodes:
${DEVICES.slice(0, 3)
  .map((d) => `  - { serial: ${d.serial}, mac: "${d.mac}", name: ${d.name}, clusterInterface: eth0 }`)
  .join('\n')}
onboarding: { policy: allowlist }
listen: { advertise: ${APP_IP}, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, tftpPort: 6969, dhcpPort: 6767, uiPort: 8088 }
ui: { accessToken: ${UI_TOKEN} }
`;
}

export interface PeerRun {
  code: number | null;
  steps: Record<string, unknown>[];
  stderr: string;
  /** The step that failed, with EVE's error. */
  failed?: { step: string; error: string };
}

export class PeerSite {
  readonly net = new Netns();
  readonly dir = mkdtempSync(join(tmpdir(), 'eveboot-eve-peer-'));
  readonly state = join(this.dir, 'state');
  readonly nodeNs: string[] = [];
  app = '';
  serve?: { proc: ChildProcess; lines: Lines };

  async build(): Promise<void> {
    const { net } = this;
    this.app = net.ns('app');
    const site = net.ns('site');
    sh('ip', '-n', site, 'link', 'add', 'br0', 'type', 'bridge');
    sh('ip', '-n', site, 'link', 'set', 'br0', 'up');
    net.veth(this.app, 'site0', site, 'app', `${APP_IP}/24`);
    sh('ip', '-n', site, 'link', 'set', 'app', 'master', 'br0');
    for (const [i, d] of DEVICES.entries()) {
      const ns = net.ns(`d${i + 1}`);
      this.nodeNs.push(ns);
      net.veth(site, `d${i + 1}`, ns, 'eth0', undefined, `${d.ip}/24`, d.mac);
      sh('ip', '-n', site, 'link', 'set', `d${i + 1}`, 'master', 'br0');
    }
    // An installer image, so the boot decision for a listed machine is install (and config.img is served).
    await prepareDemoImage(this.state, { kernelBytes: 64 * 1024, initrdBytes: 64 * 1024 });
    const ipxe = prepareDemoIpxe(join(this.dir, 'ipxe'), 4096);
    const siteFile = join(this.dir, 'site.yaml');
    writeFileSync(siteFile, siteYaml());
    const proc = net.spawn(this.app, [
      ...[process.execPath, '--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve', '--headless'],
      ...['--state', this.state, '--site', siteFile, '--interface', 'site0', '--dhcp', 'off', '--ipxe-dir', ipxe],
      ...['--log-level', 'warn'],
    ]);
    this.serve = { proc, lines: new Lines(proc) };
    await this.serve.lines.wait((l) => l.type === 'network.ready', 60_000);
  }

  /** Device i's CONFIG, as the appliance serves it to that machine booting: unpacked into <dev>/config. */
  async fetchConfig(i: number, devDir: string): Promise<Record<string, unknown>> {
    const d = DEVICES[i]!;
    const url = `http://${APP_IP}:8080/boot/${d.mac.replace(/:/g, '-')}.ipxe`;
    const out = this.run(this.nodeNs[i]!, [
      ...[process.execPath, '--import', 'tsx', join(ROOT, 'test/e2e/eve-peer-fetch.ts')],
      ...[url, d.ip, d.mac, d.serial, simSmbiosUuid(d.serial), devDir],
    ]);
    const [code, stdout, stderr] = await out;
    if (code !== 0) throw new Error(`fetching device ${i + 1}'s CONFIG failed: ${stderr}`);
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  /** EVE's own client for device i, with <dev>/config at /config and <dev>/persist at /persist. */
  async peer(i: number, devDir: string, extra: string[] = []): Promise<PeerRun> {
    const d = DEVICES[i]!;
    mkdirSync(join(devDir, 'persist'), { recursive: true });
    const [code, stdout, stderr] = await this.run(this.nodeNs[i]!, [
      ...['unshare', '-m', '--propagation', 'private', 'sh', RUN_IN_NS, devDir, PEER_BIN],
      ...['-ifname', 'eth0', '-ip', d.ip, '-mac', d.mac, '-subnet', SUBNET, '-serial', d.serial],
      ...['-firmware', 'eveboot-peer-fw-1.0-01/01/2026', '-speed-mbps', '10000', ...extra],
    ]);
    const steps = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const bad = steps.find((s) => s.ok === false && s.step !== 'register' && s.step !== 'attest-escrow');
    return {
      code,
      steps,
      stderr,
      ...(bad ? { failed: { step: String(bad.step), error: String(bad.error) } } : {}),
    };
  }

  /** A process in namespace ns; resolves with exit code, stdout, stderr. */
  run(ns: string, cmd: string[]): Promise<[number | null, string, string]> {
    const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-20_000);
    });
    return exited(child).then((code) => [code, stdout, stderr]);
  }

  /** The test's man in the middle (eve-peer-proxy.ts) in the appliance namespace. */
  async proxy(kind: string, port: number): Promise<ChildProcess> {
    const proc = this.net.spawn(this.app, [
      ...[process.execPath, '--import', 'tsx', join(ROOT, 'test/e2e/eve-peer-proxy.ts')],
      ...[this.state, `${APP_IP}:${port}`, `${APP_IP}:8443`, kind],
    ]);
    await new Lines(proc).wait((l) => l.type === 'proxy.ready', 30_000);
    return proc;
  }

  /** The operator API from inside the appliance namespace (it listens on its loopback). */
  api<T>(path: string): T {
    const url = `http://127.0.0.1:8088${path}`;
    return JSON.parse(
      execFileSync('ip', ['netns', 'exec', this.app, 'curl', '-sf', '-H', `Authorization: Bearer ${UI_TOKEN}`, url], {
        encoding: 'utf8',
      }),
    ) as T;
  }

  cleanup(): void {
    this.net.cleanup();
    // Never delete recursively through a mount (a leaked bind of /dev would take the host's device nodes).
    const leaked = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.split(' ')[1]?.startsWith(this.dir));
    if (leaked.length > 0) throw new Error(`mounts leaked out of the device namespaces, ${this.dir} kept: ${leaked}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
