// What ClusterService.workloads and .moveApp answer: the shapes the API, CLI and UI build on (keep them stable).
import type { ClusterSpec } from '../../config/site.js';
import type { ClusterRecord } from '../../ports/store.js';
import { EvebootError } from '../errors.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import type { WorkloadState, WorkloadsSpec } from '../workloads/model.js';
import { moveApp } from '../workloads/move.js';
import { emptyWorkloadState } from '../workloads/placement.js';
import { type WorkloadUuids, workloadUuids } from '../workloads/uuids.js';
import { type WorkloadDeps, type WorkloadStatus, workloadNodes } from './workload-deploy.js';

export interface WorkloadsView {
  cluster: string;
  clusterId: string;
  spec: WorkloadsSpec;
  /** Persisted placements, deployedAt and move history (also before deployment: empty placements). */
  state: WorkloadState;
  /**
   * none: the site declares no workloads; waiting: the cluster is not Ready yet (nothing sent); held: refused
   * before sending (reasons carry site paths); deployed: every node's config carries them.
   */
  phase: 'none' | 'waiting' | 'held' | 'deployed';
  reasons: string[];
  uuids: WorkloadUuids;
  /** The cluster's nodes (UUID and device name), once planned. */
  nodes: { uuid: string; name: string }[];
}

export interface MovedApp {
  cluster: string;
  app: string;
  /** Node UUIDs. from is absent when the app had no placement yet. */
  from?: string;
  to: string;
  /** Why the app may keep running where it is for now (eve-workloads-facts §4.5). */
  explanation: string;
}

const EMPTY: WorkloadsSpec = { networks: [], volumes: [], apps: [] };

export function workloadsView(
  c: ClusterRecord,
  spec: Pick<ClusterSpec, 'name' | 'workloads'>,
  plan: ClusterPlan | undefined,
  status: WorkloadStatus | undefined,
): WorkloadsView {
  const w = spec.workloads ?? EMPTY;
  const s: WorkloadStatus =
    status ?? (spec.workloads ? { kind: 'waiting', reason: 'waiting for the cluster plan' } : { kind: 'none' });
  return {
    cluster: c.name,
    clusterId: c.id,
    spec: w,
    state: c.workloads ?? emptyWorkloadState(),
    phase: s.kind,
    reasons: s.kind === 'waiting' ? [s.reason] : s.kind === 'held' ? s.reasons : [],
    uuids: workloadUuids(c.id, w),
    nodes: plan?.nodes.map((n) => ({ uuid: n.uuid, name: n.name })) ?? [],
  };
}

export function moveWorkloadApp(
  deps: WorkloadDeps,
  name: string,
  spec: ClusterSpec,
  plan: ClusterPlan | undefined,
  req: { app: string; toNode: string; by: string },
): MovedApp {
  if (!plan) throw new EvebootError('EVEBOOT_ERR_CONFLICT', `cluster ${name} is not planned yet: no node to move to`);
  const nodes = workloadNodes(deps.store, plan, spec);
  return deps.store.tx(() => {
    const c = deps.store.cluster(name);
    if (!c) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
    const r = moveApp(c.workloads ?? emptyWorkloadState(), spec.workloads ?? EMPTY, req.app, req.toNode, {
      nodes,
      now: deps.now(),
    });
    if (r.kind === 'refused') {
      throw new EvebootError(r.code === 'not-found' ? 'EVEBOOT_ERR_NOT_FOUND' : 'EVEBOOT_ERR_CONFLICT', r.reason);
    }
    deps.store.putCluster({ ...c, workloads: r.state, updatedAt: deps.now() });
    const out: MovedApp = {
      cluster: name,
      app: req.app,
      ...(r.from ? { from: r.from } : {}),
      to: r.to,
      explanation: r.explanation,
    };
    deps.emit({ type: 'workload.move-requested', data: { ...out, by: req.by } });
    return out;
  });
}
