// The WorkloadsView the operator side reads (ports/workloads-view.ts), over the two halves of the workload side:
// the cluster service (spec, placements, deployment, the manual move) and the status fold (app views from the
// stored info reports). Networks and volumes come from their stored reports. This port writes nothing itself.
import { fromJsonString } from '@bufbuild/protobuf';
import { ZInfoMsgSchema } from '../../gen/info/info_pb.js';
import type { Clock } from '../../ports/clock.js';
import type { ClusterRecord, Store } from '../../ports/store.js';
import type { ClusterWorkloads, MoveOutcome, WorkloadsView } from '../../ports/workloads-view.js';
import type { WorkloadsView as ClusterWorkloadsState, MovedApp } from '../cluster/workload-api.js';
import { EvebootError } from '../errors.js';
import { workloadReport } from './info-reports.js';
import { networkViews, type ObjectReport, volumeViews } from './infra-views.js';
import type { AppView, WorkloadsSpec } from './model.js';
import { recordMoves } from './moves.js';
import { appViews, type StatusInput } from './status.js';
import { type StatusNode, statusFromStore } from './status-input.js';

export interface OperatorPortDeps {
  cluster: {
    workloads(name: string): ClusterWorkloadsState;
    moveApp(name: string, app: string, toNode: string, by?: string): MovedApp;
  };
  store: Store;
  clock: Clock;
  /** Node loss → eviction (the demo scales EVE-k's ~55 s). */
  graceMs?: number;
  silenceMs?: number;
}

/** The latest network-instance and volume reports of the cluster's nodes, reduced to what the operator sees. */
function objectReports(store: Store, nodes: { uuid: string }[], prefix: 'workload.network/' | 'workload.volume/') {
  const out: ObjectReport[] = [];
  for (const n of nodes) {
    for (const r of store.latestReports(n.uuid)) {
      if (!r.kind.startsWith(prefix)) continue;
      const msg = parsed(r.json);
      const s = msg && workloadReport(msg)?.summary;
      if (!msg || !s) continue;
      // ZInfoVolume.progressPercentage (6) while the designated node creates the PVC (§6.2).
      const percent = msg.InfoContent.case === 'vinfo' ? msg.InfoContent.value.progressPercentage : undefined;
      out.push({
        deviceUuid: n.uuid,
        objectUuid: r.kind.slice(prefix.length),
        ...(typeof s.state === 'string' ? { state: s.state } : {}),
        ...(typeof s.error === 'string' ? { error: s.error } : {}),
        ...(percent !== undefined ? { percent } : {}),
      });
    }
  }
  return out;
}

function parsed(json: string) {
  try {
    return fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
  } catch {
    return undefined;
  }
}

/**
 * The app views as of now, read only: the workload watcher persists moves and announces them (workload.moved);
 * a move it has not folded yet is added here in memory, so the operator sees it at once and the watcher's event
 * is not pre-empted.
 */
export function appViewsNow(
  store: Store,
  record: ClusterRecord,
  nodes: StatusNode[],
  spec: WorkloadsSpec,
  o: { now: number; graceMs?: number; silenceMs?: number },
): AppView[] {
  const input: StatusInput = {
    clusterId: record.id,
    spec,
    ...o,
    ...(record.workloads ? { state: record.workloads } : {}),
    ...statusFromStore(store, { id: record.id, nodes }),
  };
  return appViews({ ...input, state: recordMoves(input).state });
}

/** undefined: the cluster is unknown, or the site names no such cluster. */
function clusterState(deps: OperatorPortDeps, name: string): ClusterWorkloadsState | undefined {
  try {
    return deps.cluster.workloads(name);
  } catch (e) {
    if (e instanceof EvebootError && e.code === 'EVEBOOT_ERR_NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * One cluster's workloads for the operator from its state, its app views and whether it was Ready. Held (Ready,
 * but refused before sending: an image not imported …) shows the reasons on every app.
 */
export function assemble(store: Store, w: ClusterWorkloadsState, views: AppView[], ready: boolean): ClusterWorkloads {
  const held = w.phase === 'held' && w.state.deployedAt === undefined ? w.reasons : [];
  const apps = held.length
    ? views.map((a) => ({ ...a, phase: 'waiting' as const, detail: `not sent: ${held.join('; ')}` }))
    : views;
  const infra = {
    clusterId: w.clusterId,
    spec: w.spec,
    state: w.state,
    nodes: w.nodes,
    networkReports: objectReports(store, w.nodes, 'workload.network/'),
    volumeReports: objectReports(store, w.nodes, 'workload.volume/'),
  };
  return {
    cluster: w.cluster,
    ready,
    held,
    apps,
    networks: networkViews(infra),
    volumes: volumeViews(infra),
  };
}

export function operatorWorkloads(deps: OperatorPortDeps): WorkloadsView {
  const { store, clock } = deps;
  return {
    views(name): ClusterWorkloads | undefined {
      const w = clusterState(deps, name);
      const record = store.cluster(name);
      if (!w || !record) return undefined;
      // A cluster without workloads (most of a factory line's) costs no report reading.
      if (w.phase === 'none') {
        return { cluster: name, ready: record.state === 'ready', held: [], apps: [], networks: [], volumes: [] };
      }
      const views = appViewsNow(store, record, w.nodes, w.spec, {
        now: clock.now(),
        ...(deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {}),
        ...(deps.silenceMs !== undefined ? { silenceMs: deps.silenceMs } : {}),
      });
      const ready = w.phase === 'deployed' || w.phase === 'held' || w.state.deployedAt !== undefined;
      return assemble(store, w, views, ready);
    },
    move(name, app, toNode): MoveOutcome {
      const nameOf = (uuid: string | undefined) =>
        clusterState(deps, name)?.nodes.find((n) => n.uuid === uuid)?.name ?? uuid ?? '(none)';
      try {
        const m = deps.cluster.moveApp(name, app, toNode, 'operator');
        return { kind: 'pending', app, fromNode: nameOf(m.from), toNode: nameOf(m.to), explanation: m.explanation };
      } catch (e) {
        // Refusals are answers (unknown node, a volume that cannot follow, already there); anything else is a fault.
        if (e instanceof EvebootError && ['EVEBOOT_ERR_CONFLICT', 'EVEBOOT_ERR_NOT_FOUND'].includes(e.code)) {
          return { kind: 'refused', reason: e.message };
        }
        throw e;
      }
    },
  };
}
