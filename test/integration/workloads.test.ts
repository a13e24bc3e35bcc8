// Workloads through the real appliance and simulated EVE nodes speaking the controller protocol: nothing before
// Ready, then the same objects on every node, 304 while unchanged, a manual move changing every node's config
// once, and a restart that keeps placements and sends the identical config (issue #13).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importApp } from '../../src/adapters/app-import.js';
import { AppStore } from '../../src/adapters/app-store.js';
import { SiteError } from '../../src/config/site.js';
import { configHash } from '../../src/core/eve/config.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { ociFixture, qcow2Header, writeLayoutTar } from '../adapters/oci-fixture.js';
import { emitClusterReady, startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const SITE = `${TEST_SITE}workloads:
  networks:
    - { name: apps-nat, kind: local, port: uplink, subnet: 10.1.0.0/24 }
    - { name: site-lan, kind: switch, port: eth0 }
  volumes:
    - { name: history, sizeBytes: 1048576, replicated: true }
    - { name: scratch, sizeBytes: 1048576, replicated: false }
  apps:
    - { name: web, kind: container, image: web, vcpus: 1, memoryMiB: 128, networks: [apps-nat], volumes: [scratch] }
    - { name: plc, kind: vm, image: plc-disk, vcpus: 1, memoryMiB: 512, networks: [site-lan], volumes: [history], node: node-a }
`;

/** A state dir holding the two images, imported as `eveboot apps import` does (a tiny OCI image, a qcow2). */
async function stateWithImages(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-wl-'));
  const store = new AppStore(join(dir, 'apps'));
  const oci = writeLayoutTar(join(dir, 'web.tar'), ociFixture({ refName: 'v1' }).files);
  await importApp(store, oci, { name: 'web', now: 1 });
  const disk = join(dir, 'plc.qcow2');
  writeFileSync(disk, Buffer.concat([qcow2Header(1n << 30n), Buffer.alloc(4096, 7)]));
  await importApp(store, disk, { name: 'plc-disk', now: 1 });
  return dir;
}

async function start(stateDir?: string, site = SITE): Promise<TestAppliance> {
  return startTestAppliance({ site, stateDir: stateDir ?? (await stateWithImages()) });
}

const poll = (devices: SimDevice[]) => Promise.all(devices.map((d) => d.pollConfig()));
const appNodes = (d: SimDevice) => d.config?.apps.map((a) => [a.displayname, a.designatedNodeId]);
const eventsOf = (t: TestAppliance, type: string) => t.app.store.events(0, 1000).filter((e) => e.type === type);

describe('workloads on the ready cluster', () => {
  let t: TestAppliance;
  let devices: SimDevice[];
  let nodeA: string;
  let nodeB: string;
  beforeAll(async () => {
    t = await start();
    devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    const plan = t.app.cluster.plan('test-cluster')!;
    nodeA = plan.nodes.find((n) => n.name === 'node-a')!.uuid;
    nodeB = plan.nodes.find((n) => n.name === 'node-b')!.uuid;
  });
  afterAll(async () => t?.stop());

  it('before Ready the configs carry the cluster but no workload, and the view says waiting', async () => {
    expect(await poll(devices)).toEqual([200, 200, 200]);
    expect(devices.map((d) => [!!d.config?.cluster, d.config?.apps.length, d.config?.networkInstances.length])).toEqual(
      [
        [true, 0, 0],
        [true, 0, 0],
        [true, 0, 0],
      ],
    );
    const v = t.app.cluster.workloads('test-cluster');
    expect([v.phase, v.reasons, v.state.deployedAt]).toEqual([
      'waiting',
      ['waiting for the cluster to be Ready (now configs-delivered)'],
      undefined,
    ]);
  });

  it('after Ready every node gets the same objects once, then 304', async () => {
    emitClusterReady(t);
    expect(await poll(devices)).toEqual([200, 200, 200]);
    const v = t.app.cluster.workloads('test-cluster');
    expect(v.phase).toBe('deployed');
    expect(v.state.deployedAt).toBeGreaterThan(0);
    const first = devices[0]!.config!;
    for (const d of devices) {
      expect(d.config!.apps).toEqual(first.apps);
      expect(d.config!.volumes).toEqual(first.volumes);
      expect(d.config!.contentInfo).toEqual(first.contentInfo);
      expect(d.config!.networkInstances).toEqual(first.networkInstances);
      expect(d.config!.datastores).toEqual(first.datastores);
    }
    expect(first.apps.map((a) => a.uuidandversion?.uuid)).toEqual([v.uuids.apps.web, v.uuids.apps.plc]);
    expect(appNodes(devices[1]!)?.find(([n]) => n === 'plc')?.[1]).toBe(nodeA);
    const placed = t.app.store.cluster('test-cluster')!.workloads;
    expect(await poll(devices)).toEqual([304, 304, 304]);
    expect(t.app.store.cluster('test-cluster')!.workloads).toEqual(placed);
    expect(eventsOf(t, 'workload.deployed')).toHaveLength(1);
  });

  it('a manual move changes every config once and says the VM moves on its next recreation', async () => {
    const moved = t.app.cluster.moveApp('test-cluster', 'plc', 'node-b', 'test');
    expect(moved).toEqual({
      cluster: 'test-cluster',
      app: 'plc',
      from: nodeA,
      to: nodeB,
      explanation:
        'EVE does not restart a running VM for a designated-node change; it moves on the next drain, reboot or failure',
    });
    expect(eventsOf(t, 'workload.move-requested').map((e) => e.data.by)).toEqual(['test']);
    expect(await poll(devices)).toEqual([200, 200, 200]);
    for (const d of devices) expect(appNodes(d)?.find(([n]) => n === 'plc')?.[1]).toBe(nodeB);
    const history = t.app.cluster.workloads('test-cluster').uuids.volumes.history;
    expect(devices[2]!.config!.volumes.find((x) => x.uuid === history)?.designatedNodeId).toBe(nodeB);
    expect(await poll(devices)).toEqual([304, 304, 304]);
  });

  it('a move whose volume cannot follow is refused with the reason, and nothing changes', async () => {
    const v = t.app.cluster.workloads('test-cluster');
    const other = v.nodes.find((n) => n.uuid !== v.state.apps.web?.nodeUuid)!.name;
    expect(() => t.app.cluster.moveApp('test-cluster', 'web', other)).toThrow(
      'app web mounts volume scratch, which is not replicated: it exists only on its node and cannot follow the app',
    );
    expect(await poll(devices)).toEqual([304, 304, 304]);
  });

  it('after a restart the same placements give the identical config: 304, no second deployment', async () => {
    const before = t.app.cluster.workloads('test-cluster').state;
    await t.stop();
    t = await start(t.stateDir);
    expect(t.app.cluster.workloads('test-cluster').state).toEqual(before);
    // The simulated nodes hold the previous run's port; the hash they would send is what decides 304.
    const hashes = devices.map((d) => configHash(t.app.cluster.configFor(t.app.store.deviceByUuid(d.uuid!)!)));
    expect(hashes).toEqual(devices.map((d) => d.configHash));
    expect(eventsOf(t, 'workload.deployed')).toHaveLength(1);
  });
});

describe('refused or held before anything is sent', () => {
  let t: TestAppliance;
  afterAll(async () => t?.stop());

  it('serve start refuses a site whose image is not imported, with the path', async () => {
    const err = await start(undefined, SITE.replace('image: plc-disk', 'image: missing')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiteError);
    expect((err as SiteError).problems).toEqual([
      'workloads.apps.1.image: image missing is not imported: run eveboot apps import FILE first',
    ]);
  });

  it('a port label the nodes lack holds every workload after Ready, with the site path', async () => {
    t = await start(undefined, SITE.replace('port: eth0', 'port: eth5'));
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    await poll(devices);
    emitClusterReady(t);
    expect(await poll(devices)).toEqual([304, 304, 304]);
    const v = t.app.cluster.workloads('test-cluster');
    expect([v.phase, v.state.deployedAt]).toEqual(['held', undefined]);
    expect(v.reasons).toEqual([
      expect.stringMatching(/^workloads\.networks\.1\.port: no port labelled eth5 on node-a, node-b, /),
    ]);
    expect(devices.map((d) => d.config?.apps.length)).toEqual([0, 0, 0]);
  });
});
