// A WorkloadsView for operator-side tests, named for its scenario: cluster `site-a` is Ready; `web` (a preferred
// container) failed over from node-a to node-b; `db` (a required VM) keeps a volume that is not replicated, so
// it cannot be moved; `vm` (a preferred VM on a replicated volume) may be moved. A second cluster `late` is not
// Ready yet. The move rule mirrors the real one's refusals (unknown node, volume that cannot follow, §4.5).
import type { AppView } from '../../src/core/workloads/model.js';
import { type ClusterWorkloads, MOVE_EXPLANATION, type WorkloadsView } from '../../src/ports/workloads-view.js';

export const NODES = ['node-a', 'node-b', 'node-c'];

function apps(): AppView[] {
  return [
    {
      name: 'web',
      uuid: '11111111-1111-4111-8111-111111111111',
      kind: 'container',
      affinity: 'preferred',
      designatedNode: 'node-a',
      effectiveNode: 'node-b',
      phase: 'running',
      state: 'RUNNING',
      downloadPercent: 100,
      moves: [{ fromNode: 'node-a', toNode: 'node-b', lostAt: 1_000_000, runningAt: 1_062_000, reason: 'failover' }],
    },
    {
      name: 'db',
      uuid: '22222222-2222-4222-8222-222222222222',
      kind: 'vm',
      affinity: 'required',
      designatedNode: 'node-a',
      phase: 'down-with-node',
      detail: 'node-a is lost and db has required affinity: EVE does not fail it over',
      state: 'RUNNING',
      downloadPercent: 42,
      moves: [],
    },
    {
      name: 'vm',
      uuid: '33333333-3333-4333-8333-333333333333',
      kind: 'vm',
      affinity: 'preferred',
      designatedNode: 'node-c',
      effectiveNode: 'node-c',
      phase: 'running',
      state: 'RUNNING',
      moves: [],
    },
  ];
}

/** The scenario above; `moves` records every accepted move so a test can see what reached the workload side. */
export function failedOverSite(): WorkloadsView & { accepted: { app: string; toNode: string }[] } {
  const state: Record<string, ClusterWorkloads> = {
    'site-a': {
      cluster: 'site-a',
      ready: true,
      held: [],
      apps: apps(),
      networks: [
        {
          name: 'lan',
          uuid: '44444444-4444-4444-8444-444444444444',
          kind: 'local',
          port: 'eth0',
          subnet: '10.1.0.0/24',
          nodes: NODES.map((node) => ({ node, state: 'ONLINE' })),
        },
      ],
      volumes: [
        {
          name: 'db-data',
          uuid: '55555555-5555-4555-8555-555555555555',
          replicated: false,
          designatedNode: 'node-a',
          state: 'CREATED_VOLUME',
        },
        {
          name: 'vm-disk',
          uuid: '66666666-6666-4666-8666-666666666666',
          replicated: true,
          designatedNode: 'node-c',
          state: 'CREATED_VOLUME',
        },
      ],
    },
    late: {
      cluster: 'late',
      ready: false,
      held: [],
      apps: apps().map((a) => ({ ...a, effectiveNode: undefined, phase: 'waiting', moves: [], state: undefined })),
      networks: [],
      volumes: [],
    },
  };
  const accepted: { app: string; toNode: string }[] = [];
  return {
    accepted,
    views: (cluster) => state[cluster],
    move(cluster, app, toNode) {
      const a = state[cluster]?.apps.find((x) => x.name === app);
      if (!a) return { kind: 'refused', reason: `no app ${app}` };
      if (!NODES.includes(toNode)) return { kind: 'refused', reason: `no node ${toNode} in cluster ${cluster}` };
      if (app === 'db') return { kind: 'refused', reason: 'volume db-data is not replicated: it cannot follow db' };
      const fromNode = a.designatedNode;
      a.designatedNode = toNode;
      a.pendingMove = { toNode, since: 2_000_000, explanation: MOVE_EXPLANATION };
      accepted.push({ app, toNode });
      return { kind: 'pending', app, fromNode, toNode, explanation: MOVE_EXPLANATION };
    },
  };
}
