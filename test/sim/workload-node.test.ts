// Three simulated nodes' workload sides and the K3s scheduler stand-in, stepped on a fake clock, with real
// downloads from a loopback datastore and registry; what they send is fed to the status logic, as the
// appliance would store it: deploy, then node 2 fails, web (preferred) moves after ~55 s, db (required) stays down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppClaim, WorkloadsSpec } from '../../src/core/workloads/model.js';
import { recordMoves } from '../../src/core/workloads/moves.js';
import { appViews, type StatusInput } from '../../src/core/workloads/status.js';
import { type ZInfoMsg, ZNetworkInstanceState, ZSwState } from '../../src/gen/info/info_pb.js';
import { K3sScheduler, type SchedNode } from '../../src/sim/k3s-scheduler.js';
import { WorkloadNode } from '../../src/sim/workload-node.js';
import {
  CLUSTER,
  DISK,
  ID,
  MANIFEST_SHA,
  NODES,
  type Stores,
  startStores,
  workloadConfig,
} from './workload-fixture.js';

const T0 = 1_800_000_000_000;
const name = (i: number) => `edge-${i + 1}`;

describe('objects leaving the config', () => {
  it('every node sends the identity only, once, for each object that left (zedagent with a nil status)', () => {
    const full = workloadConfig(1);
    const less = workloadConfig(1);
    less.apps = less.apps.filter((a) => a.displayname !== 'db-vm');
    less.volumes = less.volumes.filter((v) => v.displayName !== 'db-disk');
    const sched = new K3sScheduler(55_000, () => 'x7k2p');
    const nodes = NODES.map(
      (uuid, i) => new WorkloadNode({ uuid: () => uuid, nodeName: () => name(i), ports: () => ({}) }),
    );
    for (const n of nodes) n.step(full, sched, T0);
    const ids = (m: ZInfoMsg) => {
      const v = m.InfoContent.value as { uuid?: string; AppID?: string };
      return v.uuid ?? v.AppID;
    };
    const gone = nodes.map((n) => n.step(less, sched, T0 + 1000).filter((m) => [ID.volDisk, ID.db].includes(ids(m)!)));
    for (const msgs of gone) {
      expect(msgs.map((m) => [m.InfoContent.case, m.InfoContent.value])).toEqual([
        ['vinfo', expect.objectContaining({ uuid: ID.volDisk, displayName: '', state: 0 })],
        ['ainfo', expect.objectContaining({ AppID: ID.db, AppName: '', state: 0, clusterAppRunning: false })],
      ]);
    }
    expect(nodes[0]!.step(less, sched, T0 + 2000).filter((m) => m.InfoContent.case === 'ainfo')).toEqual([]);
  });
});

describe('network instances on a port label', () => {
  const niOf = (label: string, ports: Record<string, string>) => {
    const config = workloadConfig(1);
    config.networkInstances[0]!.port!.name = label;
    const node = new WorkloadNode({ uuid: () => NODES[0]!, nodeName: () => name(0), ports: () => ports });
    const sched = new K3sScheduler(55_000, () => 'x7k2p');
    node.step(config, sched, T0);
    const msgs = node.step(config, sched, T0 + 1000).filter((m) => m.InfoContent.case === 'niinfo');
    return msgs[0]!.InfoContent.value as { state: number; networkErr: unknown[]; CurrentUplinkIntf: string };
  };
  it.each([
    { name: 'a logical label the node has', label: 'eth0', ok: true },
    { name: 'the shared label uplink (EVE gives it to management ports)', label: 'uplink', ok: true },
    { name: 'the shared label all', label: 'all', ok: true },
    { name: 'a label the node lacks', label: 'eth7', ok: false },
  ])('$name', ({ label, ok }) => {
    const ni = niOf(label, { eth0: '52:54:00:00:00:01', eth1: '52:54:00:00:00:02' });
    expect(ni.state).toBe(
      ok ? ZNetworkInstanceState.ZNETINST_STATE_ONLINE : ZNetworkInstanceState.ZNETINST_STATE_ERROR,
    );
    expect(ni.networkErr.length).toBe(ok ? 0 : 1);
  });
});

describe('simulated nodes deploy, report as EVE does, and fail over through the K3s stand-in', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await startStores();
  });
  afterAll(() => stores.close());

  it('the whole story', async () => {
    const config = workloadConfig(stores.port);
    const nodes = NODES.map(
      (uuid, i) =>
        new WorkloadNode({
          uuid: () => uuid,
          nodeName: () => name(i),
          ports: () => ({ eth0: `52:54:00:de:0${i + 1}:00` }),
        }),
    );
    const sched = new K3sScheduler(55_000, () => 'x7k2p');
    const up: SchedNode[] = NODES.map((_, i) => ({ name: name(i), up: true }));
    const sent: { node: number; msg: ZInfoMsg; at: number }[] = [];
    let now = T0;
    const step = () => {
      const apps = WorkloadNode.schedApps(config, (u) => name(NODES.indexOf(u)));
      sched.tick(apps, up, now, (uuid) => nodes.some((n) => n.readyToCreate(config, uuid)));
      nodes.forEach((n, i) => {
        if (!up[i]!.up) return; // a lost node sends nothing
        for (const msg of n.step(config, sched, now)) sent.push({ node: i, msg, at: now });
      });
    };
    const of = (node: number, kase: string) => sent.filter((s) => s.node === node && s.msg.InfoContent.case === kase);
    const states = (node: number, kase: string, uuid: string) =>
      of(node, kase)
        .map((s) => s.msg.InfoContent.value as { state: number; uuid?: string; AppID?: string; networkID?: string })
        .filter((v) => (v.uuid ?? v.AppID ?? v.networkID) === uuid)
        .map((v) => (kase === 'niinfo' ? ZNetworkInstanceState[v.state] : ZSwState[v.state]) ?? v.state)
        .filter((v, k, all) => k === 0 || all[k - 1] !== v);

    // Deploy: step until both apps run (downloads are real, so let the event loop deliver them).
    for (let k = 0; k < 400 && !(sched.runningOn(ID.web) && sched.runningOn(ID.db)); k++) {
      step();
      now += 1000;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(sched.runningOn(ID.web)).toBe('edge-2');
    expect(sched.runningOn(ID.db)).toBe('edge-2');

    // NI on every node: INIT, then ONLINE.
    for (const i of [0, 1, 2])
      expect(states(i, 'niinfo', ID.ni).slice(0, 2)).toEqual(['ZNETINST_STATE_INIT', 'ZNETINST_STATE_ONLINE']);
    // The VM disk: only the DNID downloads it (one GET, the real bytes); the others report DELIVERED at once.
    expect(stores.hits.get(`/eveboot/images/${config.contentInfo[0]!.URL}`)).toBe(1);
    expect(states(1, 'cinfo', ID.ctDisk)).toEqual([
      'INITIAL',
      'DOWNLOAD_STARTED',
      'VERIFYING',
      'VERIFIED',
      'LOADING',
      'DELIVERED',
    ]);
    for (const i of [0, 2]) expect(states(i, 'cinfo', ID.ctDisk)).toEqual(['DELIVERED']);
    // Container content: every node pulls manifest and blobs.
    // Pinned by digest: no tag resolution.
    expect(stores.hits.get(`/v2/eveboot/nginx/manifests/sha256:${MANIFEST_SHA}`)).toBe(3);
    expect(stores.hits.get('/v2/eveboot/nginx/manifests/1.27')).toBeUndefined();
    for (const i of [0, 1, 2]) expect(states(i, 'cinfo', ID.ctImage).at(-1)).toBe('DELIVERED');
    expect(stores.bytesServed).toBeGreaterThanOrEqual(DISK.length);
    // Volumes: the others report CREATED_VOLUME early, before the DNID has its content.
    const created = (i: number) =>
      sent.find(
        (s) =>
          s.node === i &&
          s.msg.InfoContent.case === 'vinfo' &&
          states(i, 'vinfo', ID.volDisk).includes('CREATED_VOLUME'),
      )!;
    expect(states(0, 'vinfo', ID.volDisk)).toEqual(['INITIAL', 'CREATING_VOLUME', 'CREATED_VOLUME'].slice(1));
    expect(created(0).at).toBeLessThan(
      sent.find(
        (s) =>
          s.node === 1 &&
          (s.msg.InfoContent.value as { state: number; uuid: string }).uuid === ID.volDisk &&
          (s.msg.InfoContent.value as { state: number }).state === ZSwState.CREATED_VOLUME,
      )!.at,
    );
    // ZInfoApp: the DNID only, before and after the pod; the others never.
    expect(of(0, 'ainfo')).toEqual([]);
    expect(of(2, 'ainfo')).toEqual([]);
    expect(states(1, 'ainfo', ID.web).at(-1)).toBe('RUNNING');

    // Node 2 fails. 54 s later nothing has moved; at 55 s web runs on a survivor and db is Pending.
    const lostAt = now;
    up[1] = { name: 'edge-2', up: false, downSince: lostAt };
    now = lostAt + 54_000;
    step();
    expect(sched.runningOn(ID.web)).toBe('edge-2');
    now = lostAt + 55_000;
    step();
    expect(sched.runningOn(ID.web)).toBe('edge-1');
    expect(sched.runningOn(ID.db)).toBeUndefined();
    expect(sched.report().vmis.find((v) => v.name.startsWith('db-vm-'))).toMatchObject({
      nodeName: '',
      running: false,
    });
    const webOn1 = of(0, 'ainfo').map((s) => s.msg.InfoContent.value as { AppID: string; clusterAppRunning: boolean });
    expect(webOn1).toEqual([expect.objectContaining({ AppID: ID.web, clusterAppRunning: true })]);
    expect(of(2, 'ainfo')).toEqual([]);

    // What the appliance makes of it.
    const claims: AppClaim[] = sent
      .filter((s) => s.msg.InfoContent.case === 'ainfo')
      .map((s) => {
        const a = s.msg.InfoContent.value as { AppID: string; state: number; clusterAppRunning: boolean };
        return {
          appUuid: a.AppID,
          deviceUuid: NODES[s.node]!,
          state: a.state,
          clusterAppRunning: a.clusterAppRunning,
          at: s.at,
        };
      });
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
          node: 'edge-2',
          affinity: 'preferred',
        },
        {
          name: 'db-vm',
          kind: 'vm',
          image: 'debian',
          vcpus: 2,
          memoryMiB: 1024,
          networks: [],
          volumes: [],
          node: 'edge-2',
          affinity: 'required',
        },
      ],
    };
    const input: StatusInput = {
      clusterId: CLUSTER,
      now,
      spec,
      state: {
        deployedAt: T0,
        apps: {},
        volumes: {},
        moves: {},
        running: { web: { nodeUuid: NODES[1]!, since: T0, lastSeen: lostAt } },
      },
      nodes: NODES.map((uuid, i) => ({ uuid, name: name(i), lastContactAt: i === 1 ? lostAt : now })),
      claims,
      content: [],
      silenceMs: 30_000,
    };
    const views = appViews(input);
    expect(views.map((v) => [v.name, v.phase, v.effectiveNode])).toEqual([
      ['web', 'running', 'edge-1'],
      ['db-vm', 'down-with-node', undefined],
    ]);
    const moved = recordMoves(input);
    expect(moved.added).toEqual([
      {
        app: 'web',
        move: { fromNode: 'edge-2', toNode: 'edge-1', lostAt, runningAt: lostAt + 55_000, reason: 'failover' },
      },
    ]);
  }, 30_000);
});
