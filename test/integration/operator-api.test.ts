// The operator API through inject(): every endpoint, bad input, and overrides closed once configs went out.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootMachines, bootMachines } from '../../src/adapters/boot-machines.js';
import { routeLists } from '../../src/adapters/http/operator-api.js';
import { SqliteBootStore } from '../../src/adapters/sqlite-boot-store.js';
import { bootStub, startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const auth = { authorization: 'Bearer test-access-token-0123456789' };

describe('operator API', () => {
  let t: TestAppliance;
  /** The boot side the reinstall test drives; until then a reinstall is refused as without network boot. */
  let machines: BootMachines | undefined;
  const get = (url: string) => t.app.operatorApi.inject({ method: 'GET', url, headers: auth });
  const send = (method: 'POST' | 'PUT', url: string, payload?: unknown) =>
    t.app.operatorApi.inject({ method, url, headers: auth, payload: payload as object });

  beforeAll(async () => {
    t = await startTestAppliance({
      site: `site: { name: op }
cluster: { name: test-cluster }
nodes: [{ serial: SN-A }, { serial: SN-B }, { serial: SN-C }]
onboarding: { policy: approve }
`,
      bootMachines: bootStub({ markReinstall: (uuid) => (machines ?? bootStub()).markReinstall(uuid) }),
    });
  });
  afterAll(async () => t?.stop());

  it('refuses every request without the token, or with a wrong one', async () => {
    for (const url of ['/api/v1/devices', '/api/v1/clusters', '/api/v1/live', '/api/v1/events']) {
      expect((await t.app.operatorApi.inject({ method: 'GET', url })).statusCode).toBe(403);
      expect(
        (await t.app.operatorApi.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } })).statusCode,
      ).toBe(403);
    }
  });

  it('accepts ?access_token= once and then the cookie it sets', async () => {
    const first = await t.app.operatorApi.inject({
      method: 'GET',
      url: '/api/v1/clusters?access_token=test-access-token-0123456789',
    });
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^eveboot_token=/);
    expect(
      (await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/devices', headers: { cookie } })).statusCode,
    ).toBe(200);
  });

  it('an unknown machine waits for approval (approve policy); reject and approve are audited', async () => {
    const stranger = simDevice(t, 'SN-X');
    await expect(stranger.onboard()).rejects.toThrow(/HTTP 403.*waiting for the operator/);
    const machines = (await get('/api/v1/machines')).json() as { key: string; decision: string }[];
    expect(machines).toEqual([expect.objectContaining({ key: 'SN-X', decision: 'pending' })]);
    expect((await send('POST', '/api/v1/machines/SN-X/reject')).json()).toEqual({ key: 'SN-X', decision: 'rejected' });
    await expect(stranger.onboard()).rejects.toThrow(/rejected by the operator/);
    expect((await send('POST', '/api/v1/machines/SN-X/approve')).statusCode).toBe(200);
    await stranger.onboard();
    expect(stranger.uuid).toBeDefined();
    const types = ((await get('/api/v1/events')).json() as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['operator.reject', 'operator.approve', 'eve.registered']));
    expect((await send('POST', '/api/v1/machines/NOPE/approve')).statusCode).toBe(404);
  });

  it('a malformed override is a 400 with the reason; an unknown node a 404', async () => {
    const bad = await send('PUT', '/api/v1/clusters/test-cluster/overrides', { seed: 7 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/seed/);
    expect((await send('PUT', '/api/v1/clusters/test-cluster/overrides', { colour: 'red' })).statusCode).toBe(400);
    expect((await send('PUT', '/api/v1/clusters/test-cluster/overrides', { seed: 'SN-NOBODY' })).statusCode).toBe(404);
    expect((await send('PUT', '/api/v1/clusters/nope/overrides', { seed: 'SN-B' })).statusCode).toBe(404);
    expect((await get('/api/v1/devices/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('a seed override before planning takes effect; after configs went out it is a 409', async () => {
    expect((await send('PUT', '/api/v1/clusters/test-cluster/overrides', { seed: 'SN-B' })).statusCode).toBe(200);
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    const cluster = (await get('/api/v1/clusters/test-cluster')).json() as { plan: { seedUuid: string } };
    expect(cluster.plan.seedUuid).toBe(devices[1]!.uuid);
    for (const d of devices) await d.pollConfig();
    expect(devices[1]!.config!.cluster!.clusterIpPrefix.split('/')[0]).toBe(devices[1]!.config!.cluster!.joinServerIp);
    const late = await send('PUT', '/api/v1/clusters/test-cluster/overrides', { seed: 'SN-C' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toMatch(/configs already went out/);
  });

  it("shows each node's merged NIC inventory (EVE ports, hardware speeds, sightings)", async () => {
    const d = t.app.store.devices().find((x) => x.serial === 'SN-A')!;
    const detail = (await get(`/api/v1/devices/${d.uuid}`)).json() as {
      inventory: { ifname: string; speedMbps?: number; sources: string[] }[];
    };
    const eth1 = detail.inventory.find((n) => n.ifname === 'eth1')!;
    expect(eth1.speedMbps).toBe(10000);
    expect(eth1.sources).toEqual(expect.arrayContaining(['eve-port', 'eve-hw', 'sim']));
  });

  it('serves an OpenAPI document that lists every operator route the app has', async () => {
    const doc = (await get('/api/v1/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = (routeLists.get(t.app.operatorApi) ?? [])
      .filter((r) => r.startsWith('/api/v1/') || r === '/metrics')
      .map((r) => r.replace(/:(\w+)/g, '{$1}'));
    expect(new Set(routes).size).toBeGreaterThan(10);
    for (const r of new Set(routes)) expect(Object.keys(doc.paths), r).toContain(r);
  });

  it('a cluster without workloads answers empty lists, and has no app to move', async () => {
    const w = (await get('/api/v1/clusters/test-cluster/workloads')).json();
    expect(w).toMatchObject({ cluster: 'test-cluster', held: [], apps: [], networks: [], volumes: [] });
    const res = await send('POST', '/api/v1/clusters/test-cluster/apps/web/move', { node: 'node-a' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('cluster test-cluster has no app web');
  });

  it('lists devices and clusters without any secret field', async () => {
    const devices = (await get('/api/v1/devices')).json() as Record<string, unknown>[];
    expect(devices.length).toBe(4);
    for (const d of devices)
      for (const k of ['integrityToken', 'sealed', 'deviceCertPem', 'nonce']) expect(d).not.toHaveProperty(k);
    const c = (await get('/api/v1/clusters')).json() as { name: string; tokenSealedFor: string; tokenSha256: string }[];
    expect(c[0]!.tokenSealedFor).toBe('3/3');
    // The token's hash, so a node's decrypted token can be checked; never the token itself.
    const token = t.app.cluster.openToken(c[0]!.name);
    expect(c[0]!.tokenSha256).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(c)).not.toContain(token);
  });

  it('streams live over SSE: a snapshot on connect, then a delta per event', async () => {
    await t.app.operatorApi.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.operatorApi.server.address() as AddressInfo).port;
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/v1/live', headers: auth }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buf = '';
        let poked = false;
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          if (!poked && buf.includes('event: snapshot')) {
            poked = true;
            t.app.emit({ type: 'operator.override', data: { cluster: 'test-cluster', by: 'live test' } });
          }
          if (buf.includes('operator.override')) {
            req.destroy();
            resolve(buf);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const snapshot = JSON.parse(text.split('event: snapshot\ndata: ')[1]!.split('\n')[0]!);
    expect(snapshot.nodes.length).toBeGreaterThanOrEqual(3);
    expect(snapshot.clusters[0].cluster).toBe('test-cluster');
    expect(text.indexOf('event: snapshot')).toBeLessThan(text.indexOf('event: delta'));
  });

  it('the snapshot shows the cluster with its seed and a sealed-token count, never the token', async () => {
    const snap = (await get('/api/v1/snapshot')).json() as { clusters: { tokenSealed: string; state: string }[] };
    expect(snap.clusters[0]!.tokenSealed).toBe('token sealed for 3/3 devices');
    expect(snap.clusters[0]!.state).toBe('configs-delivered');
  });

  it('reinstall marks the machine a device PXE-booted as; a device with no boot record is a 404, and nothing changes', async () => {
    // The boot side as compose builds it (adapters/boot-machines.ts) over a boot store where SN-A PXE-booted.
    const bootStore = new SqliteBootStore(new Database(':memory:'));
    const mac = '52:54:00:77:00:0a';
    bootStore.put({ mac, identity: { serial: 'SN-A', nics: [] }, firstSeen: 1, lastSeen: 1, reinstall: false });
    const marked: string[] = [];
    machines = bootMachines(bootStore, t.app.store, (e) => marked.push(e.type));
    const uuidOf = (serial: string) => t.app.store.devices().find((x) => x.serial === serial)!.uuid;
    try {
      const unbooted = await send('POST', `/api/v1/devices/${uuidOf('SN-B')}/reinstall`);
      expect(unbooted.statusCode).toBe(404);
      expect(unbooted.body).toMatch(/^EVEBOOT_ERR_NOT_FOUND: SN-B has not PXE-booted here/);
      expect(t.app.store.deviceByUuid(uuidOf('SN-B'))!.acceptCert).toBeUndefined();
      const unknown = await send('POST', '/api/v1/devices/00000000-0000-4000-8000-000000000000/reinstall');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.body).toMatch(/^EVEBOOT_ERR_NOT_FOUND/);
      expect(marked).toEqual([]);

      const known = await send('POST', `/api/v1/devices/${uuidOf('SN-A')}/reinstall`);
      expect(known.statusCode).toBe(200);
      expect(known.json()).toEqual({ uuid: uuidOf('SN-A'), reinstall: true });
      expect(bootStore.machine(mac)!.reinstall).toBe(true);
      expect(marked).toEqual(['boot.reinstall']);
    } finally {
      machines = undefined;
    }
  });
});
