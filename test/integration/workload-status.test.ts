// Workload info through the real controller and store: each object's latest message per device is kept under
// workload.<kind>/<uuid>, typed events go out only on a state change, and the move history computed from the
// stored claims is persisted in the cluster record, so an appliance restart neither loses nor repeats a move.

import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkloadWatcher } from '../../src/adapters/workload-watcher.js';
import { type WorkloadsSpec, workloadUuid } from '../../src/core/workloads/model.js';
import { refreshWorkloadStatus } from '../../src/core/workloads/status-input.js';
import { AppInstanceConfigSchema } from '../../src/gen/config/appconfig_pb.js';
import { ContentTreeSchema } from '../../src/gen/config/storage_pb.js';
import type { ZInfoMsg } from '../../src/gen/info/info_pb.js';
import { ZSwState } from '../../src/gen/info/info_pb.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { appInfo, contentTreeInfo } from '../../src/sim/workload-info.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const T0 = 1_700_000_000_000;
const spec: WorkloadsSpec = {
  networks: [],
  volumes: [],
  apps: [
    {
      name: 'web',
      kind: 'container',
      image: 'nginx',
      vcpus: 1,
      memoryMiB: 256,
      networks: [],
      volumes: [],
      node: 'node-a',
      affinity: 'preferred',
    },
  ],
};

describe('workload info through the controller', () => {
  let t: TestAppliance | undefined;
  afterEach(async () => t?.stop());

  async function setup(stateDir?: string) {
    const clock = { t: T0, now: () => clock.t };
    t = await startTestAppliance({ clock, ...(stateDir ? { stateDir } : {}) });
    return clock;
  }

  const send = (d: SimDevice, msg: ZInfoMsg, at: number) => {
    msg.atTimeStamp = timestampFromMs(at);
    return d.sendInfo(msg);
  };

  it('keeps the latest per object per device, with events on state changes only, and moves that survive a restart', async () => {
    const clock = await setup();
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t!, s));
    await onboardFleet(t!, devices);
    const [a, b] = devices as [SimDevice, SimDevice];
    const record = t!.app.store.cluster('test-cluster')!;
    const web = workloadUuid(record.id, 'app', 'web');
    const app = create(AppInstanceConfigSchema, { uuidandversion: { uuid: web, version: '1' }, displayname: 'web' });
    const running = { state: ZSwState.RUNNING, activated: true, interfaces: [] };

    // ZInfoApp twice with the same state: one event. Content progress ticks: one event per state.
    expect(await send(a, appInfo(app, running), T0)).toBe(201);
    expect(await send(a, appInfo(app, running), T0 + 1000)).toBe(201);
    const ct = create(ContentTreeSchema, { uuid: workloadUuid(record.id, 'content', 'app/web'), displayName: 'nginx' });
    for (const p of [10, 50, 90]) {
      await send(
        a,
        contentTreeInfo(ct, {
          state: ZSwState.DOWNLOAD_STARTED,
          totalBytes: 100,
          progress: p,
          blobs: [],
          createdAt: T0,
        }),
        T0,
      );
    }
    await send(
      a,
      contentTreeInfo(ct, { state: ZSwState.DELIVERED, totalBytes: 100, progress: 100, blobs: [], createdAt: T0 }),
      T0,
    );
    const events = (type: string) => t!.app.store.events().filter((e) => e.type === type);
    expect(events('workload.app-status').map((e) => [e.node, e.data.state, e.data.running])).toEqual([
      [a.uuid, 'RUNNING', true],
    ]);
    expect(events('workload.content-status').map((e) => e.data.state)).toEqual(['DOWNLOAD_STARTED', 'DELIVERED']);
    expect(events('eve.info').map((e) => e.data.kind)).not.toContain(`workload.app/${web}`);
    const kinds = t!.app.store.latestReports(a.uuid!).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining([`workload.app/${web}`, `workload.content/${ct.uuid}`]));
    expect(t!.app.store.reportCounts(a.uuid!)[`workload.app/${web}`]?.count).toBe(2);

    // The placement the config builder keeps, then node-a goes silent and node-b runs web.
    const nodes = t!.app.store
      .devices()
      .filter((d) => d.cluster === 'test-cluster')
      .map((d) => ({ uuid: d.uuid, name: d.name || d.serial }));
    t!.app.store.putCluster({
      ...record,
      workloads: {
        deployedAt: T0,
        apps: { web: { nodeUuid: a.uuid!, since: T0, reason: 'declared' } },
        volumes: {},
        moves: {},
      },
    });
    const refresh = () =>
      refreshWorkloadStatus(t!.app.store, t!.app.store.cluster('test-cluster')!, nodes, {
        spec,
        now: clock.t,
        silenceMs: 30_000,
      });
    expect(refresh().views[0]).toMatchObject({ phase: 'running', effectiveNode: 'node-a' });
    clock.t = T0 + 60_000; // node-a silent for 59 s (its last request was at T0 + 1000)
    for (const d of devices.slice(1)) await d.pollConfig().catch(() => 0);
    expect(refresh().views[0]).toMatchObject({ phase: 'moving' });
    await send(b, appInfo(app, running), clock.t);
    expect(events('workload.app-status').map((e) => [e.node, e.data.state])).toEqual([
      [a.uuid, 'RUNNING'],
      [b.uuid, 'RUNNING'],
    ]);
    // The appliance's watcher records the move once, as an event, and the phase change.
    const emitted: { type: string; data: Record<string, unknown> }[] = [];
    const watcher = startWorkloadWatcher({
      store: t!.app.store,
      clock,
      emit: (e) => emitted.push(e),
      spec: () => spec,
      nodes: () => nodes,
      intervalMs: 3_600_000,
      evictionMs: 30_000,
      silenceMs: 30_000,
    });
    watcher.tick();
    watcher.tick();
    watcher.stop();
    expect(emitted.filter((e) => e.type === 'workload.moved').map((e) => e.data)).toEqual([
      expect.objectContaining({ app: 'web', fromNode: 'node-a', toNode: 'node-b', reason: 'failover', tookMs: 60_000 }),
    ]);
    expect(
      emitted.filter((e) => e.type === 'workload.app-phase').map((e) => [e.data.phase, e.data.effectiveNode]),
    ).toEqual([['running', 'node-b']]);
    expect(refresh().views[0]).toMatchObject({ phase: 'running', effectiveNode: 'node-b' });
    expect(refresh().added).toEqual([]);

    // Restart on the same state: the history is there once, and seeing the same reports adds nothing.
    const stateDir = t!.stateDir;
    await t!.stop();
    const clock2 = await setup(stateDir);
    clock2.t = clock.t + 5000;
    const again = refreshWorkloadStatus(t!.app.store, t!.app.store.cluster('test-cluster')!, nodes, {
      spec,
      now: clock2.t,
      silenceMs: 30_000,
    });
    expect(again.added).toEqual([]);
    expect(again.views[0]!.moves).toEqual([
      // lostAt: node-a's last recorded contact (noteContact writes at most once a second, so T0).
      { fromNode: 'node-a', toNode: 'node-b', lostAt: T0, runningAt: T0 + 60_000, reason: 'failover' },
    ]);
  });
});
