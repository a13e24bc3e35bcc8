// The stall EVE hides, end to end on a fake clock: the config with the sealed token went out and the node shows no
// cluster activity. After 45 min it is the named stall no-cluster-activity in the snapshot (UI), the report and
// the event log (one progress.stalled event, as a headless run prints it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceReport } from '../../src/core/report/device-record.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const MIN = 60_000;
const auth = { authorization: 'Bearer test-access-token-0123456789' };

describe('config with the sealed token delivered, no cluster activity afterwards', () => {
  let t: TestAppliance;
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const stalledEvents = () => t.app.store.events().filter((e) => e.type === 'progress.stalled');

  beforeAll(async () => {
    t = await startTestAppliance({ clock });
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((serial) => simDevice(t, serial));
    await onboardFleet(t, devices);
    for (const d of devices) await d.pollConfig();
  });
  afterAll(async () => t?.stop());

  it("44 min later it is still EVE-k's first boot: no stall, no event", () => {
    clock.t += 44 * MIN;
    t.app.stalls.tick();
    expect(stalledEvents()).toEqual([]);
  });

  it('at 45 min each node has the named stall, once, with the remedy about token decryption', () => {
    clock.t += 1 * MIN;
    t.app.stalls.tick();
    t.app.stalls.tick();
    const events = stalledEvents();
    expect(events.map((e) => [e.data.step, e.data.code]).sort()).toEqual([
      ['k3s-joined', 'no-cluster-activity'],
      ['k3s-joined', 'no-cluster-activity'],
      ['k3s-joined', 'no-cluster-activity'],
    ]);
    for (const e of events) expect(String(e.data.todo)).toMatch(/EncryptedClusterToken is empty/);
    expect(JSON.stringify(events)).not.toMatch(/cluster_token|tokenCiphertext/);
  });

  it('the UI snapshot and the report name it', async () => {
    const snap = (await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/snapshot', headers: auth })).json();
    const problems = (snap.nodes as { problem?: { code?: string } }[]).map((n) => n.problem?.code);
    expect(problems).toEqual(['no-cluster-activity', 'no-cluster-activity', 'no-cluster-activity']);
    const rows = (await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/report', headers: auth })).json();
    for (const r of rows as DeviceReport[]) expect(r.problem).toMatch(/^no-cluster-activity: config with the sealed/);
  });
});
