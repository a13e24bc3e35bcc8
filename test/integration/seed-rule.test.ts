// The seed rule through the real controller and watcher, on a fake clock: a seed that still talks to us (config,
// info or metrics) is never moved; a silent one is, unless a node already shows cluster-mode activity.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterPlan } from '../../src/core/plan/cluster-plan.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { deviceInfo, standardNics } from '../../src/sim/sim-info.js';
import { startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const MIN = 60_000;
const SITE = TEST_SITE.replace(
  'cluster: { name: test-cluster }',
  'cluster: { name: test-cluster, seedTimeoutSeconds: 600 }',
);

describe('seed re-designation through the controller and the readiness watcher', () => {
  let t: TestAppliance | undefined;
  afterEach(async () => t?.stop());

  async function deliveredCluster() {
    const clock = { t: 1_700_000_000_000, now: () => clock.t };
    t = await startTestAppliance({ site: SITE, clock });
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((serial) => simDevice(t!, serial));
    await onboardFleet(t, devices);
    for (const d of devices) await d.pollConfig();
    const plan = t.app.cluster.plan('test-cluster')!;
    const seed = devices.find((d) => d.uuid === plan.seedUuid)!;
    const joiner = devices.find((d) => d.uuid !== plan.seedUuid)!;
    const moves = () => t!.app.store.events().filter((e) => e.type === 'k3s.seed.reassigned');
    const seedNow = () => (JSON.parse(t!.app.store.cluster('test-cluster')!.plan) as ClusterPlan).seedUuid;
    return { clock, plan, seed, joiner, devices, moves, seedNow };
  }

  const contacts: { name: string; talk: (seed: SimDevice) => Promise<number> }[] = [
    { name: 'a config poll', talk: (d) => d.pollConfig() },
    { name: 'an info report', talk: (d) => d.sendInfo(deviceInfo(d.opts.serial, standardNics(1))) },
    { name: 'a metrics report', talk: async (d) => (await d.post('metrics', new Uint8Array([0x0a, 0x00]))).status },
  ];
  for (const c of contacts) {
    it(`${c.name} from the seed restarts its silence; the seed moves only after a full timeout of silence`, async () => {
      const { clock, plan, seed, moves, seedNow } = await deliveredCluster();
      clock.t += 9 * MIN;
      expect(await c.talk(seed)).toBeLessThan(400);
      clock.t += 9 * MIN; // 18 min since delivery, 9 since the last contact
      await t!.app.watcher.tick();
      expect(moves()).toEqual([]);
      expect(seedNow()).toBe(plan.seedUuid);
      clock.t += 1 * MIN; // 10 min of silence
      await t!.app.watcher.tick();
      expect(moves().map((e) => e.data.newSeed)).toEqual([plan.nodes[1]!.uuid]);
      expect(String(moves()[0]!.data.reason)).toMatch(/has sent nothing for 10 min/);
      expect(seedNow()).toBe(plan.nodes[1]!.uuid);
    });
  }

  it('a joiner that reports its cluster IP holds the silent seed in place, and says why', async () => {
    const { clock, plan, joiner, moves, seedNow } = await deliveredCluster();
    const ip = plan.nodes.find((n) => n.uuid === joiner.uuid)!.ip;
    const nics = standardNics(2).map((n) => (n.ifname === 'eth1' ? { ...n, ipv4: ip, subnet: plan.prefix } : n));
    await joiner.sendInfo(deviceInfo(joiner.opts.serial, nics));
    clock.t += 30 * MIN;
    await t!.app.watcher.tick();
    await t!.app.watcher.tick();
    expect(moves().map((e) => [e.data.newSeed, e.data.reason])).toEqual([
      [
        undefined,
        expect.stringMatching(new RegExp(`reports cluster address ${ip.replace(/\./g, '\\.')} .* stays the seed`)),
      ],
    ]);
    expect(seedNow()).toBe(plan.seedUuid);
  });
});
