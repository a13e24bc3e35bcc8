// Reports and metrics: one record per device in JSON and CSV, Prometheus text, the terminal status, and the
// record log; never a secret.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/open-store.js';
import { reportCommand } from '../../src/cli/report.js';
import { renderStatus } from '../../src/cli/status.js';
import { REQUIRED_FIELDS } from '../../src/core/report/device-record.js';
import { emitClusterReady, startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const auth = { authorization: 'Bearer test-access-token-0123456789' };

describe('reports and metrics', () => {
  let t: TestAppliance;
  beforeAll(async () => {
    t = await startTestAppliance();
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    for (const d of devices) await d.pollConfig();
    emitClusterReady(t);
  });
  afterAll(async () => t?.stop());

  it('GET /api/v1/report lists every device with identity, cluster role and address, timings and result', async () => {
    const rows = (
      await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/report', headers: auth })
    ).json() as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      for (const k of REQUIRED_FIELDS) {
        expect(r[k], k).toBeTruthy();
      }
      expect(r.result).toBe('ready');
      expect((r.timings as Record<string, unknown>).onboarded).not.toBe('');
    }
    expect(rows.filter((r) => r.role === 'seed')).toHaveLength(1);
  });

  it('CSV has a header and one line per device, and the record log got one line per ready device', async () => {
    const r = await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/report?format=csv', headers: auth });
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    const lines = r.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^serial,softSerial,macs,/);
    expect(lines).toHaveLength(4);
    const log = join(t.stateDir, 'records.jsonl');
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(
      (await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/report?format=xml', headers: auth })).statusCode,
    ).toBe(400);
  });

  it('/metrics speaks Prometheus text with nodes per phase and cluster readiness', async () => {
    const r = await t.app.operatorApi.inject({ method: 'GET', url: '/metrics', headers: auth });
    expect(r.headers['content-type']).toMatch(/text\/plain; version=0.0.4/);
    expect(r.body).toContain('eveboot_nodes{phase="ready"} 3');
    expect(r.body).toMatch(/eveboot_cluster_ready\{cluster="test-cluster",state="ready"\} 1/);
    expect(r.body).toContain('# TYPE eveboot_bytes_served_total counter');
  });

  it('eveboot report and status read the same state from the database', () => {
    const lines: string[] = [];
    expect(reportCommand(['--state', t.stateDir, '--format', 'csv'], (s) => lines.push(s))).toBe(0);
    expect(lines.join('\n').split('\r\n').filter(Boolean)).toHaveLength(4);
    const store = openStore(join(t.stateDir, 'eveboot.db'));
    try {
      const text = renderStatus(store);
      expect(text).toMatch(/cluster test-cluster: ready/);
      expect(text.split('\n').filter((l) => !l.startsWith('cluster') && / ready /.test(l))).toHaveLength(3);
    } finally {
      store.close();
    }
  });
});
