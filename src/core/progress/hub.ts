// One progress picture for the whole appliance: every node's timeline (one model, nodes linked by MAC, serial
// and UUID) and one cluster state machine per cluster (a site file has one, a line manifest many). Events are
// routed to their cluster by name; fold() returns only what changed, for the live stream's deltas.
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
  event: StoredEvent;
  nodes: NodeView[];
  clusters: (ClusterView & { cluster: string })[];
  /** Cluster state changes, to persist in ClusterRecord.state. */
  changed: { cluster: string; to: string }[];
}

/** Which cluster an event is about, from its own data or the device it names. */
export function clusterOf(e: StoredEvent, deviceCluster: (uuid: string) => string | undefined): string | undefined {
  const d = e.data;
  if (typeof d.clusterName === 'string') return d.clusterName;
  if (e.type === 'cluster.created' && typeof d.name === 'string') return d.name;
  if ((e.type.startsWith('cluster.') || e.type.startsWith('k3s.')) && typeof d.cluster === 'string') return d.cluster;
  if ((e.type === 'eve.config.delivered' || e.type === 'cluster.token.sealed') && e.node) return deviceCluster(e.node);
  return undefined;
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

  fold(e: StoredEvent, cluster: string | undefined, now: number): HubDelta {
    const out = foldEvent(this.model, e);
    this.model = out.model;
    const touched = new Set(out.effects.filter((x) => x.kind !== 'changed').map((x) => (x as { node: string }).node));
    // Byte counters move without changing a step: the node's progress bar still changed.
    if (e.type === 'http.progress' || e.type === 'tftp') {
      const mac = typeof e.data.mac === 'string' ? `mac:${e.data.mac.toLowerCase()}` : undefined;
      const client = typeof e.data.client === 'string' ? `ip:${e.data.client.replace(/:\d+$/, '')}` : undefined;
      for (const name of [e.node, mac, client]) {
        const key = name ? this.model.aliases[name] : undefined;
        if (key) touched.add(key);
      }
    }
    const changed: HubDelta['changed'] = [];
    const clusters: HubDelta['clusters'] = [];
    const target = cluster ?? (Object.keys(this.clusters).length === 1 ? Object.keys(this.clusters)[0] : undefined);
    if (
      target &&
      this.clusters[target] &&
      (e.type.startsWith('cluster.') || e.type.startsWith('k3s.') || e.type === 'eve.config.delivered')
    ) {
      const before = this.clusters[target];
      const r = clusterTransition(before, e);
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
