// A real appliance with a workloads site for the operator-side tests (API, CLI, browser): an imported raw disk,
// three simulated nodes onboarded over the real protocol, the cluster declared Ready by a readiness event, and
// app status sent as signed ZInfoApp messages built as zedagent builds them (src/sim/workload-info.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importApp } from '../../src/adapters/app-import.js';
import { AppStore } from '../../src/adapters/app-store.js';
import { workloadUuid } from '../../src/core/workloads/model.js';
import { ZSwState } from '../../src/gen/info/info_pb.js';
import type { Clock } from '../../src/ports/clock.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { appInfo, contentTreeInfo } from '../../src/sim/workload-info.js';
import { emitClusterReady, startTestAppliance, type TestAppliance } from './appliance.js';
import { until } from './process.js';
import { onboardFleet, simDevice } from './sim-fleet.js';

/** vm (preferred, on node-a) may move; pinned (on node-c) mounts a volume that is not replicated, so it may not. */
export const WORKLOAD_SITE = `site: { name: ui-workloads }
cluster: { name: test-cluster }
nodes:
  - { serial: SN-A, name: node-a }
  - { serial: SN-B, name: node-b }
  - { serial: SN-C, name: node-c }
listen: { advertise: 127.0.0.1 }
workloads:
  networks:
    - { name: lan, kind: local, port: uplink, subnet: 10.1.0.0/24 }
  volumes:
    - { name: scratch, sizeBytes: 1048576, replicated: false, node: node-c }
  apps:
    - { name: vm, kind: vm, image: disk, vcpus: 1, memoryMiB: 256, networks: [lan], node: node-a }
    - { name: pinned, kind: vm, image: disk, vcpus: 1, memoryMiB: 256, volumes: [scratch], node: node-c }
`;

export interface WorkloadSite {
  t: TestAppliance;
  devices: SimDevice[];
  /** The readiness watcher's verdict (all three members live and Ready), and each node's next config poll. */
  ready(): Promise<void>;
  /** The node polls its config and reports the app RUNNING and activated on it (§6.1). */
  reportRunning(d: SimDevice, app: string): Promise<void>;
  /** The node reports the download of the app's root content at this percentage (ZInfoContentTree, §3.5). */
  reportDownload(d: SimDevice, app: string, percent: number): Promise<void>;
  /** Until the appliance's workload watcher has seen the app running on the node (its workload.app-phase event). */
  seenRunning(app: string, node: string): Promise<void>;
}

/** WORKLOAD_SITE plus db: a required app on node-a, which never fails over (§4.2). */
export const FAILOVER_SITE = `${WORKLOAD_SITE}    - { name: db, kind: vm, image: disk, vcpus: 1, memoryMiB: 256, node: node-a, affinity: required }
`;

/** Starts the appliance on the site with the disk imported and the three nodes onboarded (not Ready yet). */
export async function startWorkloadSite(o: { site?: string; clock?: Clock } = {}): Promise<WorkloadSite> {
  const stateDir = mkdtempSync(join(tmpdir(), 'eveboot-wl-'));
  const disk = join(stateDir, 'disk.raw');
  writeFileSync(disk, Buffer.alloc(1 << 20, 7));
  await importApp(new AppStore(join(stateDir, 'apps')), disk, { name: 'disk', now: Date.now() });
  const t = await startTestAppliance({
    site: o.site ?? WORKLOAD_SITE,
    stateDir,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
  await onboardFleet(t, devices);
  for (const d of devices) await d.pollConfig();
  return {
    t,
    devices,
    async ready() {
      // Without a probe route the watcher's own evaluation says the members stopped answering (no ZInfoKubeCluster
      // from these nodes): settle it first, and say Ready again should it win the race before the configs go out.
      // Ready once is enough for the workloads (wl-core: they stay deployed).
      await t.app.watcher.tick();
      for (let i = 0; i < 3; i++) {
        emitClusterReady(t);
        for (const d of devices) await d.pollConfig();
        if (devices.every((d) => (d.config?.apps.length ?? 0) > 0)) return;
      }
      throw new Error('the workloads did not go out after Ready');
    },
    async reportRunning(d, app) {
      await d.pollConfig();
      const cfg = d.config?.apps.find((a) => a.displayname === app);
      if (!cfg) throw new Error(`${d.opts.serial} has no app ${app} in its config`);
      const status = { state: ZSwState.RUNNING, activated: true, bootTime: Date.now(), interfaces: [] };
      const code = await d.sendInfo(appInfo(cfg, status));
      if (code !== 201) throw new Error(`info for ${app} from ${d.opts.serial}: HTTP ${code}`);
    },
    async reportDownload(d, app, percent) {
      const id = t.app.store.cluster('test-cluster')!.id;
      const ct = d.config?.contentInfo.find((c) => c.uuid === workloadUuid(id, 'content', `app/${app}`));
      if (!ct) throw new Error(`${d.opts.serial} has no root content for ${app} in its config`);
      const status = {
        state: ZSwState.DOWNLOAD_STARTED,
        totalBytes: 1 << 20,
        progress: percent,
        blobs: [],
        createdAt: Date.now(),
      };
      const code = await d.sendInfo(contentTreeInfo(ct, status));
      if (code !== 201) throw new Error(`content info for ${app} from ${d.opts.serial}: HTTP ${code}`);
    },
    seenRunning: (app, node) =>
      until(`the workload watcher saw ${app} running on ${node}`, () =>
        t.app.store
          .events(0, 100_000)
          .some(
            (e) =>
              e.type === 'workload.app-phase' &&
              e.data.app === app &&
              e.data.phase === 'running' &&
              e.data.effectiveNode === node,
          ),
      ),
  };
}
