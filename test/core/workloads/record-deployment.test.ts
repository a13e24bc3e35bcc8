// Placements are written when they change and deployedAt once; unchanged polls write nothing (issue #13: a
// restart resumes with the same placements and never duplicates).
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/sqlite-store.js';
import { recordDeployment, type WorkloadDeps } from '../../../src/core/cluster/workload-deploy.js';
import type { WorkloadState } from '../../../src/core/workloads/model.js';
import { WorkloadObjectMemo } from '../../../src/core/workloads/object-memo.js';
import { emptyWorkloadState, placeWorkloads } from '../../../src/core/workloads/placement.js';
import type { ClusterRecord } from '../../../src/ports/store.js';
import { NODES, SPEC } from './three-node-site.js';

const placed = placeWorkloads(SPEC, emptyWorkloadState(), NODES, 10);
if (placed.kind !== 'ok') throw new Error('held');
const moved: WorkloadState = {
  ...placed.state,
  apps: { ...placed.state.apps, plc: { nodeUuid: NODES[1]!.uuid, since: 20, reason: 'manual' } },
};

function setup() {
  const store = openSqliteStore(':memory:');
  const base: ClusterRecord = { id: 'c1', name: 'c', tokenCiphertext: 'x', plan: '', state: 'ready', updatedAt: 0 };
  store.putCluster(base);
  const writes: ClusterRecord[] = [];
  const put = store.putCluster.bind(store);
  store.putCluster = (c) => {
    writes.push(c);
    put(c);
  };
  const events: string[] = [];
  let now = 100;
  const deps: WorkloadDeps = {
    store,
    now: () => now++,
    applianceSubnets: () => [],
    emit: (e) => events.push(e.type),
    memo: new WorkloadObjectMemo(),
  };
  return { store, deps, writes, events };
}

describe('recordDeployment', () => {
  const cases: { name: string; input: WorkloadState[]; want: { writes: number; events: string[] } }[] = [
    {
      name: 'the first deployment writes once and says so',
      input: [placed.state],
      want: { writes: 1, events: ['workload.deployed'] },
    },
    {
      name: 'unchanged placements on later polls write nothing',
      input: [placed.state, placed.state, placed.state],
      want: { writes: 1, events: ['workload.deployed'] },
    },
    {
      name: 'a changed placement is written, without a second deployment event',
      input: [placed.state, moved, moved],
      want: { writes: 2, events: ['workload.deployed'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { deps, writes, events } = setup();
      for (const s of c.input) recordDeployment(deps, 'c', s);
      expect({ writes: writes.length, events }).toEqual(c.want);
    });
  }

  it('keeps deployedAt from the first time and the move history the status side stored', () => {
    const { store, deps } = setup();
    recordDeployment(deps, 'c', placed.state);
    const at = store.cluster('c')!.workloads!.deployedAt;
    const history = { plc: [{ fromNode: 'a', toNode: 'b', lostAt: 1, runningAt: 2, reason: 'failover' as const }] };
    store.putCluster({ ...store.cluster('c')!, workloads: { ...store.cluster('c')!.workloads!, moves: history } });
    recordDeployment(deps, 'c', moved);
    expect([store.cluster('c')!.workloads!.deployedAt, store.cluster('c')!.workloads!.moves]).toEqual([at, history]);
  });
});
