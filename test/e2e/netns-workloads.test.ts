// Issue 13, "scenarios in the simulator, in network namespaces": `eveboot serve` (dist) in its own namespace and the
// site's three simulated EVE nodes as one fleet process (netns-fleet-runner.ts) in another, joined by a veth
// link: every config, status report and image byte crosses it. The K3s stand-in's scheduler is shared by the
// three nodes (one `eveboot sim-node` per namespace would have none). Readiness rests on the leader's
// ZInfoKubeCluster (the appliance has no address in the cluster prefix). Scenarios, in one run: (1) nothing goes
// out before Ready, then both apps run on edge-2 with their images fetched over the link; (2) edge-2 is lost: web
// (preferred) moves after the stand-in's scaled eviction, plc (required) stays down with its node; (3) a manual
// move is accepted (202) and pending; (4) the appliance restarts on the same state: same placements, the move
// recorded once.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONTAINER_IMAGE, DEMO_VM_IMAGE, prepareDemoApps } from '../../src/sim/demo-apps.js';
import { prereq } from '../support/prereq.js';
import { ROOT } from '../support/process.js';
import { exited, Lines, Netns } from './dhcp-netns.js';
import { curlIn, type Event, TOKEN } from './netns-cluster-harness.js';

const p = prereq('netns workloads e2e', { root: true, tools: ['ip', 'curl'] });
const CLUSTER = 'netns-wl';
const UI = 'http://127.0.0.1:8088';

const SITE = `site: { name: netns-wl }
cluster: { name: ${CLUSTER}, prefix: 10.244.244.0/28 }
nodes:
  - { serial: NETNS-0001, name: edge-1 }
  - { serial: NETNS-0002, name: edge-2 }
  - { serial: NETNS-0003, name: edge-3 }
onboarding: { policy: allowlist }
listen: { advertise: 192.168.90.1, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, tftpPort: 6969, dhcpPort: 6767, uiPort: 8088 }
ui: { accessToken: ${TOKEN} }
workloads:
  networks: [{ name: nat, kind: local, port: uplink, subnet: 10.1.0.0/24 }]
  volumes: [{ name: plc-data, sizeBytes: 67108864, replicated: true }]
  apps:
    - { name: web, kind: container, image: ${DEMO_CONTAINER_IMAGE}, vcpus: 1, memoryMiB: 128, networks: [nat], node: edge-2, affinity: preferred }
    - { name: plc, kind: vm, image: ${DEMO_VM_IMAGE}, vcpus: 1, memoryMiB: 512, networks: [nat], volumes: [plc-data], node: edge-2, affinity: required }
`;

type AppAnswer = {
  name: string;
  designatedNode: string;
  effectiveNode: string | null;
  phase: string;
  pendingMove: { toNode: string } | null;
  moves: { fromNode: string; toNode: string; reason: string }[];
};
type Answer = {
  ready: boolean;
  waiting: string | null;
  apps: AppAnswer[];
  networks: { name: string; nodes: { node: string; state?: string; error?: string }[] }[];
};

describe.skipIf(!p.ok)('workloads on three simulated EVE nodes across a network-namespace link', () => {
  const net = new Netns();
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-netns-wl-'));
  const state = join(dir, 'state');
  const siteFile = join(dir, 'site.yaml');
  let app = '';
  let fleetNs = '';
  const procs: ChildProcess[] = [];
  const stderr = new Map<ChildProcess, string>();

  const start = (ns: string, cmd: string[], env: Record<string, string> = {}) => {
    const proc = net.spawn(ns, cmd, env);
    procs.push(proc);
    stderr.set(proc, '');
    proc.stderr?.on('data', (c: Buffer) => stderr.set(proc, (stderr.get(proc)! + c.toString()).slice(-4000)));
    return { proc, lines: new Lines(proc) };
  };
  const serve = () =>
    start(app, [
      process.execPath,
      join(ROOT, 'dist/main.js'),
      'serve',
      '--dhcp',
      'off',
      '--log-level',
      'warn',
      '--state',
      state,
      '--site',
      siteFile,
    ]);
  const api = <T>(path: string): T => {
    const r = curlIn(app, `${UI}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`);
    return JSON.parse(r.body) as T;
  };
  const workloads = () => api<Answer>(`/api/v1/clusters/${CLUSTER}/workloads`);
  const placed = () => workloads().apps.map((a) => [a.name, a.phase, a.effectiveNode]);
  /** The whole event log: the API answers 1000 events at a time, from ?since=<id>. */
  const events = () => {
    const all: (Event & { id: number })[] = [];
    for (let page = api<typeof all>('/api/v1/events'); page.length > 0; ) {
      all.push(...page);
      page = page.length < 1000 ? [] : api<typeof all>(`/api/v1/events?since=${all.at(-1)!.id}`);
    }
    return all;
  };
  async function until<T>(what: string, f: () => T | undefined, ms: number, diag: () => string): Promise<T> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
      try {
        const v = f();
        if (v) return v;
      } catch {
        // not answering yet
      }
    }
    throw new Error(`${what} not within ${ms} ms\n${diag()}`);
  }
  const diag = () =>
    [`workloads: ${JSON.stringify(safe(workloads))}`, ...procs.map((pr) => stderr.get(pr) ?? '')].join('\n');

  beforeAll(async () => {
    app = net.ns('app');
    fleetNs = net.ns('fleet');
    net.veth(app, 'site0', fleetNs, 'eth0', '192.168.90.1/24', '192.168.90.11/24');
    mkdirSync(state, { recursive: true });
    writeFileSync(siteFile, SITE);
    await prepareDemoApps(state, Date.now());
  });
  afterAll(async () => {
    for (const pr of procs) if (pr.exitCode === null && pr.signalCode === null) pr.kill('SIGKILL');
    await Promise.all(procs.map((pr) => exited(pr)));
    net.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys after Ready, fails web over when edge-2 is lost, keeps plc down, takes a manual move, survives a restart', async () => {
    const t0 = Date.now();
    const first = serve();
    const before = await until('the operator API', workloads, 20_000, diag);
    // (1) Before Ready nothing is sent: every app waits.
    expect(before.ready).toBe(false);
    expect(before.waiting).toMatch(/nothing is sent to the nodes/);
    expect(before.apps.map((a) => [a.name, a.phase, a.designatedNode])).toEqual([
      ['web', 'waiting', 'edge-2'],
      ['plc', 'waiting', 'edge-2'],
    ]);
    const fleet = start(
      fleetNs,
      [process.execPath, '--import', 'tsx', join(ROOT, 'test/e2e/netns-fleet-runner.ts'), siteFile, state],
      {
        NODE_DOWN: 'edge-2',
      },
    );
    const running = (a: AppAnswer) => a.phase === 'running' && a.effectiveNode === 'edge-2';
    await until('both apps running on edge-2', () => workloads().apps.every(running), 60_000, diag);
    const ev = events();
    const readyAt = ev.findIndex((e) => e.type === 'k3s.readiness' && e.data.ready === true);
    const deployedAt = ev.findIndex((e) => e.type === 'workload.deployed');
    expect(readyAt).toBeGreaterThanOrEqual(0);
    // The workloads went out only after the cluster was Ready, once.
    expect(deployedAt).toBeGreaterThan(readyAt);
    expect(ev.filter((e) => e.type === 'workload.deployed')).toHaveLength(1);
    // Every image byte crossed the link: the datastore and registry saw the fleet's address fetch all of it.
    const fetched = ev.filter((e) => e.type === 'workload.image-progress' && e.data.percent === 100);
    const whoFetched = new Set(fetched.map((e) => `${e.data.image} from ${e.data.ip}`));
    expect([...whoFetched].sort()).toEqual(
      [`${DEMO_VM_IMAGE} from 192.168.90.11`, `${DEMO_CONTAINER_IMAGE} from 192.168.90.11`].sort(),
    );
    // The NAT network on the shared label uplink is online on every node (EVE gives management ports that label).
    expect(workloads().networks.map((n) => n.nodes.map((x) => [x.node, x.state, x.error ?? null]))).toEqual([
      ['edge-1', 'edge-2', 'edge-3'].map((node) => [node, 'ZNETINST_STATE_ONLINE', null]),
    ]);
    console.log(`netns workloads: both apps running on edge-2 after ${Date.now() - t0} ms`);

    // The appliance's workload watcher has recorded both running there (its move history starts from it).
    const movedEvents = () => events().filter((e) => e.type === 'workload.moved');
    const onEdge2 = (e: Event) =>
      e.type === 'workload.app-phase' && e.data.phase === 'running' && e.data.effectiveNode === 'edge-2';
    await until('the watcher saw both on edge-2', () => events().filter(onEdge2).length === 2, 15_000, diag);

    // (2) edge-2 is lost (its K3s and its reports stop): web moves, plc stays down with its node.
    fleet.proc.kill('SIGUSR1');
    await fleet.lines.wait((l) => l.type === 'sim.node.down', 10_000);
    const lostAt = Date.now();
    const movedOff = () => {
      const [web, plc] = workloads().apps;
      // The watcher records (persists and announces) the move on its next pass after the replacement runs.
      return (
        web!.phase === 'running' &&
        web!.effectiveNode !== 'edge-2' &&
        movedEvents().length > 0 &&
        plc!.phase === 'down-with-node'
      );
    };
    await until('web moved, plc down with edge-2', movedOff, 45_000, diag);
    const [web, plc] = workloads().apps;
    expect(['edge-1', 'edge-3']).toContain(web!.effectiveNode);
    expect(plc).toMatchObject({ phase: 'down-with-node', effectiveNode: null });
    expect(web!.moves.map((m) => [m.fromNode, m.toNode, m.reason])).toEqual([
      ['edge-2', web!.effectiveNode, 'failover'],
    ]);
    console.log(`netns workloads: web moved ${Date.now() - lostAt} ms after edge-2 was lost`);
    expect(movedEvents().map((e) => [e.data.app, e.data.reason])).toEqual([['web', 'failover']]);

    // (3) The operator moves web to the other survivor: accepted, pending until EVE recreates it.
    const other = web!.effectiveNode === 'edge-1' ? 'edge-3' : 'edge-1';
    const move = curlIn(app, `${UI}/api/v1/clusters/${CLUSTER}/apps/web/move`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ node: other }),
    });
    expect(move.status).toBe(202);
    expect(JSON.parse(move.body)).toMatchObject({ app: 'web', toNode: other, pending: true });
    const pending = await until(
      'the pending move',
      () => workloads().apps.find((a) => a.name === 'web' && a.pendingMove?.toNode === other),
      10_000,
      diag,
    );
    expect(pending).toMatchObject({ phase: 'running', effectiveNode: web!.effectiveNode, designatedNode: other });

    // (4) The appliance restarts on the same state while the fleet keeps reporting: same placements, the
    // failover recorded once, the pending move still there.
    const placements = placed();
    first.proc.kill('SIGTERM');
    expect(await exited(first.proc)).toBe(0);
    serve();
    await until('the operator API again', workloads, 20_000, diag);
    await new Promise((r) => setTimeout(r, 4000)); // a few more poll rounds of every node
    expect(placed()).toEqual(placements);
    expect(workloads().apps.find((a) => a.name === 'web')!.pendingMove?.toNode).toBe(other);
    expect(workloads().apps.find((a) => a.name === 'web')!.moves).toHaveLength(1);
    expect(movedEvents().map((e) => [e.data.app, e.data.reason])).toEqual([['web', 'failover']]);
    expect(fleet.proc.exitCode).toBeNull();
  }, 150_000);
});

function safe<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return (e as Error).message;
  }
}
