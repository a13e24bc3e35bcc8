// When a cluster's workloads go out (issue #13): never before the cluster is first Ready. At that moment the
// placements are decided and persisted with deployedAt in ClusterRecord.workloads, in one transaction, so an
// appliance restart resumes with the same designated nodes and sends the same objects (same UUIDs) again.
import type { ClusterSpec } from '../../config/site.js';
import type { ClusterRecord, Store } from '../../ports/store.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { buildPortModel } from '../plan/port-model.js';
import { imageProblems, portProblems } from '../workloads/checks.js';
import type { WorkloadObjects } from '../workloads/config-objects.js';
import type { ImageCatalog, ImageEndpoints, WorkloadState, WorkloadsSpec } from '../workloads/model.js';
import type { WorkloadObjectMemo } from '../workloads/object-memo.js';
import { emptyWorkloadState, placeWorkloads, type WorkloadNode } from '../workloads/placement.js';
import { nodeInventories } from './inventory-input.js';

export interface WorkloadDeps {
  store: Store;
  now: () => number;
  /** The imported images (image store); undefined while none is wired: apps with images are held. */
  images?: (() => ImageCatalog | undefined) | undefined;
  /** Where the HTTP datastore and the registry are reachable from the nodes. */
  imageEndpoints?: (() => ImageEndpoints | undefined) | undefined;
  applianceSubnets: () => string[];
  emit: (e: { type: string; node?: string; data: Record<string, unknown> }) => void;
  memo: WorkloadObjectMemo;
}

/** Where a cluster's workloads stand: what the config carries, or why nothing yet. */
export type WorkloadStatus =
  | { kind: 'none' }
  | { kind: 'waiting'; reason: string }
  | { kind: 'held'; reasons: string[]; state: WorkloadState }
  | { kind: 'deployed'; state: WorkloadState; objects: WorkloadObjects };

/** The cluster nodes with every name the site may use for them (device name, site name, serials). */
export function workloadNodes(store: Store, plan: ClusterPlan, spec: ClusterSpec): WorkloadNode[] {
  return plan.nodes.map((n) => {
    const d = store.deviceByUuid(n.uuid);
    const listed = spec.nodes.find(
      (x) => (x.serial && x.serial === d?.serial) || (x.softSerial && x.softSerial === d?.softSerial),
    );
    const aliases = [listed?.name, d?.serial, d?.softSerial].filter((x): x is string => !!x);
    return { uuid: n.uuid, name: n.name, aliases };
  });
}

export function workloadStatus(
  deps: WorkloadDeps,
  c: ClusterRecord,
  spec: ClusterSpec,
  plan: ClusterPlan | undefined,
): WorkloadStatus {
  const w: WorkloadsSpec | undefined = spec.workloads;
  if (!w || w.networks.length + w.volumes.length + w.apps.length === 0) return { kind: 'none' };
  const prev = c.workloads ?? emptyWorkloadState();
  // Ready once is enough: a later degraded or joined-2/3 state keeps what already runs (the nodes still hold it).
  if (!prev.deployedAt && c.state !== 'ready') {
    return { kind: 'waiting', reason: `waiting for the cluster to be Ready (now ${c.state})` };
  }
  if (!plan) return { kind: 'waiting', reason: 'waiting for the cluster plan' };
  const nodes = workloadNodes(deps.store, plan, spec);
  const reasons: string[] = [];
  // Port labels are checked before the first deployment only: afterwards a node's missing inventory report must
  // not withdraw (and so delete, on every node) what already runs.
  if (!prev.deployedAt) reasons.push(...portProblems(w, nodeLabels(deps, plan)));
  const catalog = attempt(() => deps.images?.(), 'no image store', reasons);
  const endpoints = attempt(() => deps.imageEndpoints?.(), 'no image endpoints', reasons);
  if (catalog) attempt(() => reasons.push(...imageProblems(w, catalog)), 'image store', reasons);
  const placed = placeWorkloads(w, prev, nodes, deps.now());
  if (placed.kind === 'held') reasons.push(...placed.reasons);
  if (reasons.length > 0 || placed.kind === 'held' || !catalog || !endpoints) {
    return { kind: 'held', reasons, state: prev };
  }
  const built = deps.memo.build({ clusterId: c.id, spec: w, state: placed.state, catalog, endpoints });
  if (built.kind === 'held') return { kind: 'held', reasons: built.reasons, state: prev };
  return { kind: 'deployed', state: placed.state, objects: built.objects };
}

/** The status, with the placements persisted (deployedAt on the first time) once the workloads go out. */
export function deployWorkloads(
  deps: WorkloadDeps,
  c: ClusterRecord,
  spec: ClusterSpec,
  plan: ClusterPlan | undefined,
): WorkloadStatus {
  const status = workloadStatus(deps, c, spec, plan);
  if (status.kind !== 'deployed') return status;
  return { ...status, state: recordDeployment(deps, c.name, status.state) };
}

/** Persists placements (and deployedAt the first time) when they changed; says so once. */
export function recordDeployment(deps: WorkloadDeps, name: string, state: WorkloadState): WorkloadState {
  const { store } = deps;
  return store.tx(() => {
    const c = store.cluster(name);
    if (!c) return state;
    const cur = c.workloads ?? emptyWorkloadState();
    const first = !cur.deployedAt;
    // Only placements and deployedAt are ours; the move history (status side) is kept as stored.
    const next: WorkloadState = {
      ...cur,
      apps: state.apps,
      volumes: state.volumes,
      deployedAt: cur.deployedAt ?? deps.now(),
    };
    if (!first && JSON.stringify([cur.apps, cur.volumes]) === JSON.stringify([next.apps, next.volumes])) return next;
    store.putCluster({ ...c, workloads: next, updatedAt: deps.now() });
    if (first) {
      deps.emit({
        type: 'workload.deployed',
        data: {
          cluster: name,
          apps: Object.fromEntries(Object.entries(next.apps).map(([a, p]) => [a, p.nodeUuid])),
          volumes: Object.fromEntries(Object.entries(next.volumes).map(([v, p]) => [v, p.nodeUuid])),
        },
      });
    }
    return next;
  });
}

/** The port labels each node has, as the port model we send names them (SystemAdapter names). */
function nodeLabels(deps: WorkloadDeps, plan: ClusterPlan): { name: string; labels: string[] }[] {
  return plan.nodes.map((n) => {
    const d = deps.store.deviceByUuid(n.uuid);
    const nics = d ? nodeInventories(deps.store, [d])[0]?.nics : undefined;
    const model = nics ? buildPortModel(nics, n.interfaceLabel, plan.clusterId, deps.applianceSubnets()) : undefined;
    return { name: n.name, labels: model?.systemAdapterList.map((a) => a.name) ?? [] };
  });
}

/** The value, or undefined with the reason added (a broken image index, no advertise address): held, not a 500. */
function attempt<T>(fn: () => T | undefined, what: string, reasons: string[]): T | undefined {
  try {
    const v = fn();
    if (v === undefined) reasons.push(`workloads: ${what}: images cannot be served`);
    return v;
  } catch (e) {
    reasons.push(`workloads: ${what}: ${(e as Error).message}`);
    return undefined;
  }
}
