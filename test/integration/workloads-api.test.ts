// The workloads side of the operator API and CLI against a real appliance (simulated nodes over the real
// protocol, app status as signed ZInfoApp): the GET shape before and after Ready, moves accepted (202 with what
// EVE really does) and refused (409 with the reason), the token in front, every move audited in the event log and
// records.jsonl, the report's per-device apps, and `eveboot status/report --site` reading the same from the state.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsCommand } from '../../src/cli/apps.js';
import { reportCommand } from '../../src/cli/report.js';
import { statusCommand } from '../../src/cli/status.js';
import { startWorkloadSite, WORKLOAD_SITE, type WorkloadSite } from '../support/workload-site.js';

const TOKEN = 'test-access-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface AppAnswer {
  name: string;
  designatedNode: string;
  effectiveNode: string | null;
  phase: string;
  state: string | null;
  pendingMove: { toNode: string; explanation: string } | null;
  moves: { fromNode: string; toNode: string; reason: string; tookMs: number }[];
}

describe('operator API and CLI: workloads on a real appliance', () => {
  let site: WorkloadSite;
  let siteFile: string;
  const get = async (url: string) => (await site.t.app.operatorApi.inject({ url, headers: auth })).json();
  const workloads = async () =>
    (await get('/api/v1/clusters/test-cluster/workloads')) as {
      ready: boolean;
      waiting: string | null;
      held: string[];
      apps: AppAnswer[];
      networks: { name: string; nodes: { node: string }[] }[];
      volumes: { name: string; replicated: boolean; designatedNode: string }[];
    };
  const app = async (name: string) => (await workloads()).apps.find((a) => a.name === name)!;
  const move = (name: string, node: string, headers: Record<string, string> = auth) =>
    site.t.app.operatorApi.inject({
      method: 'POST',
      url: `/api/v1/clusters/test-cluster/apps/${name}/move`,
      headers,
      payload: { node },
    });
  const cli = async (run: (argv: string[], out: (s: string) => void) => unknown, argv: string[]) => {
    const lines: string[] = [];
    await run(argv, (s) => lines.push(s));
    return lines.join('\n');
  };

  beforeAll(async () => {
    site = await startWorkloadSite();
    siteFile = join(site.t.stateDir, 'site.yaml');
    writeFileSync(siteFile, WORKLOAD_SITE);
  });
  afterAll(async () => site?.t.stop());

  it('before Ready: every app waits, and the answer says why', async () => {
    const w = await workloads();
    expect(w.ready).toBe(false);
    expect(w.waiting).toMatch(/^waiting for the cluster to be Ready/);
    expect(w.apps.map((a) => [a.name, a.phase, a.designatedNode])).toEqual([
      ['vm', 'waiting', 'node-a'],
      ['pinned', 'waiting', 'node-c'],
    ]);
    expect((await site.t.app.operatorApi.inject({ url: '/api/v1/clusters/test-cluster/workloads' })).statusCode).toBe(
      403,
    );
    expect(
      (await site.t.app.operatorApi.inject({ url: '/api/v1/clusters/nope/workloads', headers: auth })).statusCode,
    ).toBe(404);
  });

  it('after Ready the configs carry them, and the node that runs an app is its effective node', async () => {
    await site.ready();
    await site.reportRunning(site.devices[0]!, 'vm');
    await site.seenRunning('vm', 'node-a');
    const w = await workloads();
    expect(w).toMatchObject({ ready: true, waiting: null, held: [] });
    expect(await app('vm')).toMatchObject({
      designatedNode: 'node-a',
      effectiveNode: 'node-a',
      phase: 'running',
      state: 'RUNNING',
      pendingMove: null,
      moves: [],
    });
    expect(w.networks).toEqual([expect.objectContaining({ name: 'lan', nodes: expect.any(Array) })]);
    expect(w.networks[0]!.nodes.map((n) => n.node)).toEqual(['node-a', 'node-b', 'node-c']);
    expect(w.volumes).toEqual([
      expect.objectContaining({ name: 'scratch', replicated: false, designatedNode: 'node-c' }),
    ]);
  });

  it('refuses moves that cannot happen with 409 and the reason; accepts one as pending with the explanation', async () => {
    expect((await move('vm', 'node-b', {})).statusCode).toBe(403);
    const pinned = await move('pinned', 'node-a');
    expect(pinned.statusCode).toBe(409);
    expect(pinned.body).toMatch(
      /^EVEBOOT_ERR_CONFLICT: cannot move pinned to node-a: .*scratch, which is not replicated/,
    );
    const unknown = await move('vm', 'node-z');
    expect(unknown.statusCode).toBe(409);
    expect(unknown.body).toContain('cannot move vm to node-z: no node node-z');
    expect((await app('vm')).designatedNode).toBe('node-a');

    const ok = await move('vm', 'node-b');
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ app: 'vm', fromNode: 'node-a', toNode: 'node-b', pending: true });
    expect(ok.json().explanation).toContain('EVE does not restart a running VM');
    expect(await app('vm')).toMatchObject({
      designatedNode: 'node-b',
      effectiveNode: 'node-a',
      pendingMove: { toNode: 'node-b' },
    });
  });

  it('audits every move asked for, in the event log and in records.jsonl', async () => {
    const events = (await get('/api/v1/events')) as { type: string; data: Record<string, unknown> }[];
    expect(
      events.filter((e) => e.type === 'operator.move').map((e) => [e.data.app, e.data.toNode, e.data.outcome]),
    ).toEqual([
      ['pinned', 'node-a', 'refused'],
      ['vm', 'node-z', 'refused'],
      ['vm', 'node-b', 'pending'],
    ]);
    const audits = readFileSync(join(site.t.stateDir, 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { audit?: Record<string, unknown> })
      .filter((r) => r.audit?.action === 'move-app')
      .map((r) => r.audit!);
    expect(audits.map((a) => [a.app, a.outcome])).toEqual([
      ['pinned', 'refused'],
      ['vm', 'refused'],
      ['vm', 'pending'],
    ]);
    expect(String(audits[0]!.reason)).toContain('not replicated');
  });

  it('once node-b runs it, the move is in its history and the report lists it per device', async () => {
    await site.reportRunning(site.devices[1]!, 'vm');
    // Shown at once (read only); the watcher then persists the move and announces it.
    const vm = await app('vm');
    expect(vm).toMatchObject({ effectiveNode: 'node-b', phase: 'running', pendingMove: null });
    expect(vm.moves).toEqual([expect.objectContaining({ fromNode: 'node-a', toNode: 'node-b', reason: 'manual' })]);
    await site.seenRunning('vm', 'node-b');
    const moved = site.t.app.store.events(0, 100_000).filter((e) => e.type === 'workload.moved');
    expect(moved.map((e) => [e.data.app, e.data.fromNode, e.data.toNode, e.data.reason])).toEqual([
      ['vm', 'node-a', 'node-b', 'manual'],
    ]);
    const rows = (await get('/api/v1/report')) as { deviceName: string; apps?: { name: string; on: string }[] }[];
    const on = (name: string) => rows.find((r) => r.deviceName === name)?.apps?.map((a) => [a.name, a.on]);
    expect(on('node-b')).toEqual([['vm', 'here']]);
    expect(on('node-a')).toEqual([]);
    expect(on('node-c')).toEqual([['pinned', 'designated']]);
  });

  it('eveboot status and report, with --site or from the remembered spec, read the same from the state directory', async () => {
    const state = site.t.stateDir;
    const status = await cli(statusCommand, ['--state', state, '--site', siteFile, '--once']);
    expect(status).toContain('workloads of test-cluster:');
    expect(status).toMatch(/ {2}vm +running +node-b → node-b +RUNNING/);
    expect(status).toMatch(/moved node-a → node-b at \d\d:\d\d:\d\d UTC in \d+ s \(manual\)/);
    expect(status).toMatch(/ {2}pinned +deploying +node-c → \(not running\)/);
    const report = JSON.parse(await cli(reportCommand, ['--state', state, '--site', siteFile])) as {
      deviceName: string;
      apps: { name: string; effectiveNode: string; moves: unknown[] }[];
    }[];
    expect(report.find((r) => r.deviceName === 'node-b')?.apps).toEqual([
      expect.objectContaining({
        name: 'vm',
        effectiveNode: 'node-b',
        moves: [expect.objectContaining({ reason: 'manual' })],
      }),
    ]);
    const csv = await cli(reportCommand, ['--state', state, '--site', siteFile, '--format', 'csv']);
    expect(csv.split('\r\n')[0]).toMatch(/,apps$/);
    expect(csv).toContain('vm@node-b running (moved node-a→node-b)');
    // Without --site, the workloads the appliance last served (remembered in the state at serve start): the same.
    const plain = await cli(statusCommand, ['--state', state, '--once']);
    expect(plain).toContain('workloads of test-cluster:');
    expect(plain).toMatch(/ {2}vm +running +node-b → node-b +RUNNING/);
    expect(JSON.parse(await cli(reportCommand, ['--state', state]))).toEqual(report);
  });

  it('eveboot apps move talks to the running appliance', async () => {
    await site.t.app.operatorApi.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(site.t.app.operatorApi.server.address() as AddressInfo).port}`;
    const lines: string[] = [];
    const code = await appsCommand(['move', 'test-cluster', 'vm', 'node-c', '--url', url], (s) => lines.push(s), {
      EVEBOOT_ACCESS_TOKEN: TOKEN,
    });
    expect(code).toBe(0);
    expect(lines[0]).toBe('vm (cluster test-cluster): move from node-b to node-c accepted, pending.');
    expect((await app('vm')).designatedNode).toBe('node-c');
  });
});
