// The site's workloads are remembered in each cluster's record at serve start (WorkloadState.spec), so the
// offline commands (`eveboot status`, `eveboot report`) read them from the state directory alone; --site still
// wins when given. Written only when the declared set differs from the stored one.
import type { ClusterStore } from '../../ports/store.js';
import type { WorkloadsSpec } from './model.js';

export function rememberWorkloadSpecs(store: ClusterStore, specs: { name: string; workloads?: WorkloadsSpec }[]): void {
  for (const s of specs) {
    const record = store.cluster(s.name);
    if (!record) continue;
    const state = record.workloads ?? { apps: {}, volumes: {}, moves: {} };
    if (JSON.stringify(state.spec) === JSON.stringify(s.workloads)) continue;
    const { spec: _old, ...rest } = state;
    store.putCluster({ ...record, workloads: s.workloads ? { ...rest, spec: s.workloads } : rest });
  }
}

/** The clusters whose workloads the state remembers, shaped as the site's cluster specs. */
export function rememberedWorkloadSpecs(store: ClusterStore): { name: string; workloads: WorkloadsSpec }[] {
  return store.clusters().flatMap((c) => (c.workloads?.spec ? [{ name: c.name, workloads: c.workloads.spec }] : []));
}
