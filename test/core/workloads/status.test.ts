import { describe, expect, it } from 'vitest';
import { kubeAppName, kubeAppPrefix, ownsWorkload } from '../../../src/core/workloads/leader-apps.js';
import type { AppView } from '../../../src/core/workloads/model.js';
import { workloadUuid } from '../../../src/core/workloads/model.js';
import { appViews, type StatusInput } from '../../../src/core/workloads/status.js';
import { ZSwState } from '../../../src/gen/info/info_pb.js';
import { CLUSTER, claim, DB, input, leader, N, nodes, T0, WEB } from './fixtures.js';

const lostEdge2 = nodes({ 2: { lastContactAt: T0 - 30_000, leaderReady: { ready: false, since: T0 - 30_000 } } });
const web = (i: StatusInput) => appViews(i).find((v) => v.name === 'web')!;
const db = (i: StatusInput) => appViews(i).find((v) => v.name === 'db-vm')!;

const cases: { name: string; input: StatusInput; pick: (i: StatusInput) => AppView; want: Partial<AppView> }[] = [
  {
    name: 'before the cluster is Ready every app waits and nothing is claimed',
    input: input({ state: { apps: {}, volumes: {}, moves: {} } }),
    pick: web,
    want: { phase: 'waiting', designatedNode: 'edge-2', effectiveNode: undefined },
  },
  {
    name: 'sent but no ZInfoApp yet: deploying',
    input: input(),
    pick: web,
    want: { phase: 'deploying', detail: 'sent to the nodes; no ZInfoApp yet' },
  },
  {
    name: 'the designated node reports SCHEDULING while no pod exists: deploying with that state',
    input: input({ claims: [claim(WEB, 2, T0 - 5000, { state: ZSwState.SCHEDULING, clusterAppRunning: false })] }),
    pick: web,
    want: { phase: 'deploying', state: 'SCHEDULING', detail: 'edge-2 reports SCHEDULING' },
  },
  {
    name: 'the newest running claim wins over an older one from another live node',
    input: input({ claims: [claim(WEB, 2, T0 - 50_000), claim(WEB, 3, T0 - 10_000)] }),
    pick: web,
    want: { phase: 'running', effectiveNode: 'edge-3', state: 'RUNNING' },
  },
  {
    name: 'a newer leader report that places it on the claiming node confirms it',
    input: input({ claims: [claim(WEB, 2, T0 - 20_000)], leader: leader(T0 - 5000, { web: 2 }) }),
    pick: web,
    want: {
      phase: 'running',
      effectiveNode: 'edge-2',
      detail: "running on edge-2, confirmed by the leader's ZInfoKubeCluster",
    },
  },
  {
    name: 'after a failover the old node is lost: its true claim is stale and the new node wins',
    input: input({
      nodes: lostEdge2,
      claims: [claim(WEB, 2, T0 - 40_000), claim(WEB, 3, T0 - 90_000)],
    }),
    pick: web,
    want: { phase: 'running', effectiveNode: 'edge-3' },
  },
  {
    name: 'a newer leader report placing it elsewhere makes the live claim stale; the effective node is the leaders',
    input: input({ claims: [claim(WEB, 2, T0 - 20_000)], leader: leader(T0 - 5000, { web: 1 }) }),
    pick: web,
    want: { phase: 'stale', effectiveNode: 'edge-1' },
  },
  {
    name: 'two live nodes claim it and the leader sides with the older claim: conflict',
    input: input({
      claims: [claim(WEB, 2, T0 - 20_000), claim(WEB, 3, T0 - 10_000)],
      leader: leader(T0 - 5000, { web: 2 }),
    }),
    pick: web,
    want: { phase: 'conflict', effectiveNode: undefined },
  },
  {
    name: 'preferred app on a lost node: moving, eviction due ~55 s after the loss',
    input: input({ nodes: lostEdge2, claims: [claim(WEB, 2, T0 - 40_000)] }),
    pick: web,
    want: { phase: 'moving', effectiveNode: undefined },
  },
  {
    name: 'required app on a lost node: down with its node, and why',
    input: input({ nodes: lostEdge2, claims: [claim(DB, 2, T0 - 40_000)] }),
    pick: db,
    want: { phase: 'down-with-node' },
  },
  {
    name: 'a node silent longer than the silence limit counts as lost without the leader',
    input: input({ nodes: nodes({ 2: { lastContactAt: T0 - 200_000 } }), claims: [claim(DB, 2, T0 - 200_000)] }),
    pick: db,
    want: { phase: 'down-with-node' },
  },
  {
    name: 'an app error from the node that reports it',
    input: input({
      claims: [
        claim(WEB, 2, T0 - 1000, { state: ZSwState.ERROR, clusterAppRunning: false, error: 'Invalid Memory Size - 0' }),
      ],
    }),
    pick: web,
    want: { phase: 'error', effectiveNode: 'edge-2', detail: 'Invalid Memory Size - 0' },
  },
];

describe('app views from claims, the leader and node liveness', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = c.pick(c.input);
      for (const [k, v] of Object.entries(c.want)) expect(got[k as keyof AppView], k).toEqual(v);
    });
  }

  it('moving says when K3s evicts before the grace period, and that it is overdue after', () => {
    const before = web(input({ nodes: lostEdge2, claims: [claim(WEB, 2, T0 - 40_000)] }));
    expect(before.detail).toContain(`K3s evicts it about ${new Date(T0 - 30_000 + 55_000).toISOString()}`);
    const after = web(input({ nodes: lostEdge2, claims: [claim(WEB, 2, T0 - 40_000)], now: T0 + 30_000 }));
    expect(after.detail).toContain('eviction was due');
    const scaled = web(input({ nodes: lostEdge2, claims: [claim(WEB, 2, T0 - 40_000)], graceMs: 5000 }));
    expect(scaled.detail).toContain('eviction was due');
  });

  it('required: the detail names the node and that EVE does not fail it over', () => {
    const v = db(input({ nodes: lostEdge2, claims: [claim(DB, 2, T0 - 40_000)] }));
    expect(v.detail).toMatch(/^down with edge-2 \(edge-2 is NotReady in the leader's ZInfoKubeCluster/);
    expect(v.detail).toContain('EVE does not fail it over');
  });

  it('a manual move is pending while the app still runs on its old node, and done once it runs on the new one', () => {
    const state = input().state!;
    const moved = {
      ...state,
      apps: { ...state.apps, 'db-vm': { nodeUuid: N[2], since: T0 - 1000, reason: 'manual' as const } },
    };
    const pending = db(input({ state: moved, claims: [claim(DB, 2, T0 - 60_000)] }));
    expect(pending).toMatchObject({ phase: 'running', designatedNode: 'edge-3', effectiveNode: 'edge-2' });
    expect(pending.pendingMove).toMatchObject({ toNode: 'edge-3', since: T0 - 1000 });
    expect(pending.pendingMove!.explanation).toContain('next time it is recreated');
    const done = db(input({ state: moved, claims: [claim(DB, 2, T0 - 60_000), claim(DB, 3, T0 - 500)] }));
    expect(done.effectiveNode).toBe('edge-3');
    expect(done.pendingMove).toBeUndefined();
  });

  it('download progress comes from the designated node only', () => {
    const content = workloadUuid(CLUSTER, 'content', 'app/web');
    const v = web(
      input({
        content: [
          { deviceUuid: N[0], contentUuid: content, state: ZSwState.DOWNLOAD_STARTED, percent: 90, at: T0 - 100 },
          { deviceUuid: N[1], contentUuid: content, state: ZSwState.DOWNLOAD_STARTED, percent: 10, at: T0 - 3000 },
          { deviceUuid: N[1], contentUuid: content, state: ZSwState.DOWNLOAD_STARTED, percent: 42, at: T0 - 1000 },
        ],
      }),
    );
    expect(v.downloadPercent).toBe(42);
  });
});

describe('K8s names EVE gives an app (eve-workloads-facts §4.6)', () => {
  const uuid = 'abcde123-0000-4000-8000-000000000000';
  const cases = [
    { name: 'underscores become dashes, lower-cased', input: 'My_App', want: 'my-app-abcde' },
    {
      name: 'other characters are dropped and runs of . or - collapse',
      input: 'web  server--1..2!',
      want: 'webserver-1.2-abcde',
    },
    { name: 'cut to 26 characters before the UUID part', input: 'a'.repeat(40), want: `${'a'.repeat(26)}-abcde` },
  ];
  for (const c of cases) it(c.name, () => expect(kubeAppPrefix(c.input, uuid)).toBe(c.want));

  it('a VMI or pod of the app matches whatever its purge counter; another app does not', () => {
    const prefix = kubeAppPrefix('web', uuid);
    expect(kubeAppName('web', uuid, 2)).toBe('web-abcde-2');
    expect(ownsWorkload(prefix, 'web-abcde-2-x7k2p')).toBe(true);
    expect(ownsWorkload(prefix, 'web-abcde-0-5d8f9c7b4-qq2xz')).toBe(true);
    expect(ownsWorkload(prefix, 'web-abcdf-0-x7k2p')).toBe(false);
    expect(ownsWorkload(prefix, 'web-abcde-x7k2p')).toBe(false);
  });
});
