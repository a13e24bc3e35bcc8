// The planner waits for each node's ZInfoHardware, through the real controller on a fake clock: without it the
// cluster gets no config; after the grace period the plan is made anyway and says what it went without, in the
// API, the UI snapshot and the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterPlan } from '../../src/core/plan/cluster-plan.js';
import type { DeviceReport } from '../../src/core/report/device-record.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const auth = { authorization: 'Bearer test-access-token-0123456789' };
const SITE = TEST_SITE.replace(
  'cluster: { name: test-cluster }',
  'cluster: { name: test-cluster, hardwareGraceSeconds: 60 }',
);

describe('planning waits for the hardware reports, for a bounded time', () => {
  let t: TestAppliance;
  let devices: SimDevice[];
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const api = async <T>(url: string) =>
    (await t.app.operatorApi.inject({ method: 'GET', url, headers: auth })).json() as T;

  beforeAll(async () => {
    t = await startTestAppliance({ site: SITE, clock });
    devices = ['SN-A', 'SN-B', 'SN-C'].map((serial) => simDevice(t, serial));
    // SN-C's hardware inventory never comes.
    await onboardFleet(t, devices, (d) => d.opts.serial !== 'SN-C');
  });
  afterAll(async () => t?.stop());

  it('ports in, one hardware report missing: no plan, and the status says what it waits for', async () => {
    for (const d of devices) await d.pollConfig();
    expect(devices.map((d) => d.config?.cluster)).toEqual([undefined, undefined, undefined]);
    const [c] = await api<{ planStatus: string; plan: ClusterPlan | null }[]>('/api/v1/clusters');
    expect(c!.plan).toBeNull();
    expect(c!.planStatus).toMatch(/^waiting for SN-C to send ZInfoHardware \(link speeds\)/);
  });

  it('at the end of the grace period the plan is made, naming the missing evidence in API, UI and report', async () => {
    clock.t += 59_000;
    await devices[0]!.pollConfig();
    expect(devices[0]!.config?.cluster).toBeUndefined();
    clock.t += 1000;
    for (const d of devices) await d.pollConfig();
    expect(devices.every((d) => d.config?.cluster !== undefined)).toBe(true);
    const want = [expect.stringMatching(/^SN-C: no ZInfoHardware within 60 s; link speeds/)];
    const [c] = await api<{ plan: ClusterPlan }[]>('/api/v1/clusters');
    expect(c!.plan.missingEvidence).toEqual(want);
    const snap = await api<{ clusters: { planMissing: string[] }[] }>('/api/v1/snapshot');
    expect(snap.clusters[0]!.planMissing).toEqual(want);
    const rows = await api<DeviceReport[]>('/api/v1/report');
    for (const r of rows) expect(r.planMissing).toMatch(/^SN-C: no ZInfoHardware within 60 s/);
  });
});
