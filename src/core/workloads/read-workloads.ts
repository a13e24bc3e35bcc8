// A cluster's workloads read from the state alone, for `eveboot status` and `eveboot report` (no running
// appliance): the site's spec, the persisted placements and moves, and the stored info reports. Nothing is
// written.
import type { ClusterSpec } from '../../config/site.js';
import type { Store } from '../../ports/store.js';
import type { ClusterWorkloads } from '../../ports/workloads-view.js';
import { workloadsView } from '../cluster/workload-api.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { appViewsNow, assemble } from './operator-port.js';

export function readWorkloads(
  store: Store,
  spec: Pick<ClusterSpec, 'name' | 'workloads'>,
  now: number,
): ClusterWorkloads | undefined {
  const record = store.cluster(spec.name);
  if (!record || !spec.workloads) return undefined;
  const plan = record.plan ? (JSON.parse(record.plan) as ClusterPlan) : undefined;
  const w = workloadsView(record, spec, plan, undefined);
  const views = appViewsNow(store, record, w.nodes, w.spec, { now });
  return assemble(store, w, views, w.state.deployedAt !== undefined || record.state === 'ready');
}
