// The whole workload story through the real appliance on a fake clock: the site's workloads go out after Ready
// (wl-core's config builder), three simulated nodes act on their configs as EVE does (real downloads from a
// loopback datastore and registry, ZInfoApp only from the node running the app) and the K3s stand-in schedules
// the apps; node-b (designated for both apps) is lost: web (preferred) moves after 40 s + 15 s, plc (required)
// stays down with its node; a manual move before the failure is pending until the app is recreated; the
// appliance records the move once, and after a restart nothing is added.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { importApp } from '../../src/adapters/app-import.js';
import { AppStore } from '../../src/adapters/app-store.js';
import { freePort } from '../../src/adapters/free-port.js';
import { startWorkloadWatcher } from '../../src/adapters/workload-watcher.js';
import type { WorkloadsSpec } from '../../src/core/workloads/model.js';
import { refreshWorkloadStatus } from '../../src/core/workloads/status-input.js';
import type { ZInfoMsg } from '../../src/gen/info/info_pb.js';
import type { ApplianceEvent } from '../../src/ports/events.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { kubeClusterInfo } from '../../src/sim/k3s-reports.js';
import { K3sScheduler } from '../../src/sim/k3s-scheduler.js';
import { WorkloadNode } from '../../src/sim/workload-node.js';
import { ociFixture, qcow2Header, writeLayoutTar } from '../adapters/oci-fixture.js';
import { emitClusterReady, startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const site = (
  httpPort: number,
) => `${TEST_SITE.replace('listen: { advertise: 127.0.0.1 }', `listen: { advertise: 127.0.0.1, httpPort: ${httpPort} }`)}workloads:
  networks:
    - { name: lan, kind: local, port: eth0, subnet: 10.1.0.0/24 }
  volumes:
    - { name: history, sizeBytes: 1048576, replicated: true, node: node-b }
  apps:
    - { name: web, kind: container, image: nginx, vcpus: 1, memoryMiB: 128, networks: [lan], volumes: [], node: node-b, affinity: preferred }
    - { name: plc, kind: vm, image: plc-disk, vcpus: 1, memoryMiB: 512, networks: [lan], volumes: [history], node: node-b, affinity: required }
`;

const T0 = 1_700_000_000_000;
const DISK = Buffer.concat([qcow2Header(1n << 30n), Buffer.alloc(300_000, 7)]);

/** A state dir with the site's two images imported as `eveboot apps import` does (a tiny OCI image, a qcow2). */
async function stateWithImages(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-failover-'));
  const store = new AppStore(join(dir, 'apps'));
  await importApp(store, writeLayoutTar(join(dir, 'nginx.tar'), ociFixture({ refName: '1.27' }).files), {
    name: 'nginx',
    now: 1,
  });
  writeFileSync(join(dir, 'plc.qcow2'), DISK);
  await importApp(store, join(dir, 'plc.qcow2'), { name: 'plc-disk', now: 1 });
  return dir;
}

describe('workloads fail over through the appliance and the simulated cluster', () => {
  let t: TestAppliance;
  let http: FastifyInstance | undefined;
  afterAll(async () => {
    await http?.close();
    await t?.stop();
  });

  it('deploy after Ready, node-b lost: web moves, plc stays down, the move is recorded once', async () => {
    const clock = { t: T0, now: () => clock.t };
    const port = await freePort();
    const SITE = site(port);
    t = await startTestAppliance({ site: SITE, clock, stateDir: await stateWithImages() });
    // The appliance's own datastore and registry, on the HTTP port its datastores name (listen.httpPort).
    http = Fastify();
    t.app.content.mount(http);
    await http.listen({ host: '127.0.0.1', port });
    const disk = t.app.content.catalog.find('plc-disk')!;
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    const plan = t.app.cluster.plan('test-cluster')!;
    const nameOf = (d: SimDevice) => plan.nodes.find((n) => n.uuid === d.uuid)!.name;
    await Promise.all(devices.map((d) => d.pollConfig()));
    emitClusterReady(t);
    await Promise.all(devices.map((d) => d.pollConfig()));
    expect(devices.map((d) => d.config?.apps.length)).toEqual([2, 2, 2]);

    const sched = new K3sScheduler(55_000, () => 'x7k2p');
    const sides = devices.map(
      (d, i) =>
        new WorkloadNode({
          uuid: () => d.uuid!,
          nodeName: () => nameOf(d),
          ports: () => ({ eth0: `52:54:00:de:0${i}:00` }),
        }),
    );
    const down = new Map<string, number>();
    const send = async (d: SimDevice, msg: ZInfoMsg) => {
      msg.atTimeStamp = timestampFromMs(clock.t);
      expect(await d.sendInfo(msg)).toBe(201);
    };
    const step = async () => {
      const nodes = devices.map((d) => ({
        name: nameOf(d),
        up: !down.has(nameOf(d)),
        ...(down.has(nameOf(d)) ? { downSince: down.get(nameOf(d))! } : {}),
      }));
      const apps = WorkloadNode.schedApps(devices[0]!.config, (u) => plan.nodes.find((n) => n.uuid === u)?.name ?? '');
      sched.tick(apps, nodes, clock.t, (u) => devices.some((d, i) => sides[i]!.readyToCreate(d.config, u)));
      for (const [i, d] of devices.entries()) {
        if (down.has(nameOf(d))) continue; // a lost node sends nothing
        await d.pollConfig();
        for (const msg of sides[i]!.step(d.config, sched, clock.t)) await send(d, msg);
      }
      // The leader (node-a) reports which node runs what.
      const health = plan.nodes.map((n) => ({
        member: { name: n.name, peerURLs: [], clientURLs: [], uuid: n.uuid, ip: n.ip },
        up: !down.has(n.name),
        ...(down.has(n.name) ? { since: down.get(n.name)! } : {}),
      }));
      await send(devices[0]!, kubeClusterInfo(plan.clusterId, health, clock.t, sched.report()));
    };
    const spec = (t.app.cluster.spec('test-cluster') as { workloads?: WorkloadsSpec }).workloads!;
    const nodes = plan.nodes.map((n) => ({ uuid: n.uuid, name: n.name }));
    const views = () =>
      refreshWorkloadStatus(t.app.store, t.app.store.cluster('test-cluster')!, nodes, { spec, now: clock.t }).views;

    for (let k = 0; k < 200 && !(sched.runningOn(views()[0]!.uuid) && sched.runningOn(views()[1]!.uuid)); k++) {
      await step();
      clock.t += 1000;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(views().map((v) => [v.name, v.phase, v.effectiveNode])).toEqual([
      ['web', 'running', 'node-b'],
      ['plc', 'running', 'node-b'],
    ]);
    // node-b, the designated node, really fetched the VM disk from the appliance's datastore.
    expect(t.app.content.downloads.servedBytes(disk.sha256, '127.0.0.1')).toBe(DISK.length);

    // A manual move of web to node-a: every node's config names node-a, but EVE does not restart a running app
    // for that (§4.5): it stays on node-b, shown as a pending move.
    const nodeA = plan.nodes.find((n) => n.name === 'node-a')!.uuid;
    t.app.cluster.moveApp('test-cluster', 'web', 'node-a');
    clock.t += 1000;
    await step();
    expect(devices.map((d) => d.config?.apps.find((a) => a.displayname === 'web')?.designatedNodeId)).toEqual([
      nodeA,
      nodeA,
      nodeA,
    ]);
    const pending = views()[0]!;
    expect(pending).toMatchObject({ phase: 'running', effectiveNode: 'node-b', designatedNode: 'node-a' });
    expect(pending.pendingMove?.toNode).toBe('node-a');

    const events: ApplianceEvent[] = [];
    const watcher = startWorkloadWatcher({
      store: t.app.store,
      clock,
      emit: (e) => events.push(e),
      spec: () => spec,
      nodes: () => nodes,
      intervalMs: 3_600_000,
    });
    const lostAt = clock.t;
    down.set('node-b', lostAt);
    clock.t = lostAt + 30_000;
    await step();
    watcher.tick();
    expect(views().map((v) => [v.name, v.phase])).toEqual([
      ['web', 'moving'],
      ['plc', 'down-with-node'],
    ]);
    clock.t = lostAt + 55_000;
    await step();
    clock.t += 1000;
    await step();
    watcher.tick();
    watcher.tick();
    watcher.stop();
    expect(views().map((v) => [v.name, v.phase, v.effectiveNode ?? null])).toEqual([
      // Its replica set's affinity now names node-a, so the replacement starts there; the move is done.
      ['web', 'running', 'node-a'],
      ['plc', 'down-with-node', null],
    ]);
    expect(
      events
        .filter((e) => e.type === 'workload.moved')
        .map((e) => [e.data.app, e.data.fromNode, e.data.toNode, e.data.reason]),
    ).toEqual([['web', 'node-b', 'node-a', 'failover']]);

    // Restart on the same state: the move is there once, and the same reports add nothing.
    const stateDir = t.stateDir;
    await t.stop();
    t = await startTestAppliance({ site: SITE, clock, stateDir });
    const again = refreshWorkloadStatus(t.app.store, t.app.store.cluster('test-cluster')!, nodes, {
      spec,
      now: clock.t,
    });
    expect(again.added).toEqual([]);
    expect(again.views[0]!.moves.map((m) => [m.fromNode, m.toNode])).toEqual([['node-b', 'node-a']]);
  }, 60_000);
});
