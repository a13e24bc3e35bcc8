// One progress picture for the whole appliance: every node's timeline (one model, nodes linked by MAC, serial
// and UUID) and one cluster state machine per cluster (a site file has one, a line manifest many). Events are
// routed to their cluster by their typed `type` and the cluster their payload names; fold() returns only what
// changed, for the live stream's deltas.
import type { EventType, RecordedEvent } from '../../ports/events.js';
import type { StoredEvent } from '../../ports/store.js';
import { type ClusterState, transition as clusterTransition, initialCluster, recordState } from './cluster-state.js';
import {
  type ClusterView,
  type ExpectedNode,
  foldEvent,
  initialModel,
  type NodeView,
  type ProgressModel,
  view,
} from './snapshot.js';
import type { StallLimits } from './stall.js';

export interface HubSnapshot {
  nodes: NodeView[];
  clusters: (ClusterView & { cluster: string })[];
}

export interface HubDelta {
  event: RecordedEvent;
  nodes: NodeView[];
  clusters: (ClusterView & { cluster: string })[];
  /** Cluster state changes, to persist in ClusterRecord.state. */
  changed: { cluster: string; to: string }[];
}

/** The events that move a cluster's state machine (cluster-state.ts); every other event leaves it alone. */
const CLUSTER_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'cluster.created',
  'cluster.plan.status',
  'cluster.planned',
  'cluster.token.sealed',
  'eve.config.delivered',
  'k3s.readiness',
  'k3s.seed.reassigned',
]);

/** Which cluster an event is about, from its own data or the device it names. */
export function clusterOf(e: RecordedEvent, deviceCluster: (uuid: string) => string | undefined): string | undefined {
  switch (e.type) {
    case 'cluster.created':
      return e.data.name;
    case 'cluster.plan.status':
    case 'cluster.planned':
    case 'k3s.readiness':
    case 'k3s.seed.reassigned':
      return e.data.cluster;
    case 'eve.config.delivered':
    case 'cluster.token.sealed':
      // Events stored before the payload named its cluster fall back to the device's.
      return e.data.clusterName ?? (e.node ? deviceCluster(e.node) : undefined);
    default:
      return undefined;
  }
}

export class ProgressHub {
  private model: ProgressModel;
  private readonly clusters: Record<string, ClusterState> = {};

  constructor(
    at: number,
    expected: (ExpectedNode & { cluster: string })[],
    clusterNames: string[],
    private readonly limits?: StallLimits,
  ) {
    this.model = initialModel(at, expected);
    for (const name of clusterNames) this.clusters[name] = { ...initialCluster(at), name };
  }

  fold(e: RecordedEvent, cluster: string | undefined, now: number): HubDelta {
    // The node and cluster folds read payloads through accessors (event.ts) that also take events stored by
    // older versions, whose fields may be missing.
    const raw = e as unknown as StoredEvent;
    const out = foldEvent(this.model, raw);
    this.model = out.model;
    const touched = new Set(out.effects.filter((x) => x.kind !== 'changed').map((x) => (x as { node: string }).node));
    // Byte counters move without changing a step: the node's progress bar still changed.
    if (e.type === 'http.progress' || e.type === 'tftp') {
      const mac = e.type === 'http.progress' && e.data.mac ? `mac:${e.data.mac.toLowerCase()}` : undefined;
      const client = e.type === 'tftp' ? `ip:${e.data.client.replace(/:\d+$/, '')}` : undefined;
      for (const name of [e.node, mac, client]) {
        const key = name ? this.model.aliases[name] : undefined;
        if (key) touched.add(key);
      }
    }
    const changed: HubDelta['changed'] = [];
    const clusters: HubDelta['clusters'] = [];
    const target = cluster ?? (Object.keys(this.clusters).length === 1 ? Object.keys(this.clusters)[0] : undefined);
    if (target && this.clusters[target] && CLUSTER_EVENTS.has(e.type)) {
      const before = this.clusters[target];
      const r = clusterTransition(before, raw);
      this.clusters[target] = r.state;
      if (r.effects.length > 0) changed.push({ cluster: target, to: recordState(r.state) });
      if (r.state !== before) clusters.push(this.clusterView(target, now));
    }
    const nodes = touched.size > 0 ? view(this.model, now, this.limits).nodes.filter((n) => touched.has(n.key)) : [];
    return { event: e, nodes, clusters, changed };
  }

  snapshot(now: number): HubSnapshot {
    return {
      nodes: view(this.model, now, this.limits).nodes,
      clusters: Object.keys(this.clusters).map((name) => this.clusterView(name, now)),
    };
  }

  private clusterView(name: string, now: number): ClusterView & { cluster: string } {
    const c = this.clusters[name]!;
    return { ...view({ nodes: {}, aliases: {}, cluster: c }, now).cluster, cluster: name };
  }
}
