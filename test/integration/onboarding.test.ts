import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

describe('three simulated EVE devices onboard against the real appliance', () => {
  let t: TestAppliance;
  let devices: SimDevice[];

  beforeAll(async () => {
    t = await startTestAppliance();
    devices = ['SN-A', 'SN-B', 'SN-C'].map((serial) => simDevice(t, serial));
  });
  afterAll(async () => t?.stop());

  it('register, uuid and attest succeed for each, with distinct UUIDs', async () => {
    await onboardFleet(t, devices);
    const uuids = devices.map((d) => d.uuid);
    expect(new Set(uuids).size).toBe(3);
    for (const u of uuids) expect(u).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the plan puts the cluster on eth1 (dedicated, 10G) with addresses .1-.3 of the default prefix', () => {
    const plan = t.app.cluster.plan('test-cluster');
    expect(plan).toBeDefined();
    expect(plan!.nodes.map((n) => n.interfaceLabel)).toEqual(['eth1', 'eth1', 'eth1']);
    expect(plan!.nodes.map((n) => n.ipPrefix).sort()).toEqual([
      '10.244.244.1/28',
      '10.244.244.2/28',
      '10.244.244.3/28',
    ]);
    expect(plan!.joinServerIp).toBe('10.244.244.1');
  });

  it('each device fetches a signed config that verifies the way EVE verifies it, then gets 304', async () => {
    for (const d of devices) {
      expect(await d.pollConfig()).toBe(200);
      expect(d.config?.id?.uuid).toBe(d.uuid);
      expect(d.config?.deviceName).toMatch(/^[a-z0-9-]+$/);
      expect(await d.pollConfig()).toBe(304);
    }
  });

  it('the cluster config carries the token sealed to each device, and each recovers the minted token', async () => {
    const box = openSecretBox(join(t.stateDir, 'keys', 'state.key'));
    const minted = box.open(t.app.store.cluster('test-cluster')!.tokenCiphertext);
    const seeds = new Set<string>();
    for (const d of devices) {
      await d.pollConfig();
      const c = d.config!.cluster!;
      expect(c.clusterId).toBe(t.app.store.cluster('test-cluster')!.id);
      expect(c.masterNodeUuids).toHaveLength(3);
      expect(await d.clusterToken()).toBe(minted);
      if (c.clusterIpPrefix.split('/')[0] === c.joinServerIp) seeds.add(d.uuid!);
    }
    expect(seeds.size).toBe(1);
    const blocks = devices.map((d) =>
      Buffer.from(d.config!.cluster!.encryptedClusterToken!.cipherData).toString('hex'),
    );
    expect(new Set(blocks).size).toBe(3);
  });

  it('names the devices from the site file, unique and valid for Kubernetes', () => {
    const names = t.app.store
      .devices()
      .map((d) => d.name)
      .sort();
    expect(names).toEqual(['eve-sn-c', 'node-a', 'node-b']);
  });
});
