// Is a node lost, and since when, as far as workloads are concerned (eve-workloads-facts §4.3)? K3s marks a node
// NotReady after 40 s without kubelet heartbeats (node-monitor-grace-period, pkg/kube/config.yaml:26-28) and its
// pods are evicted 15 s later (tolerationSeconds on unreachable/not-ready, KV:57, 2364-2381): about 55 s from the
// loss to a replacement being scheduled on a surviving node.

/** node-monitor-grace-period: 40 s. */
export const K3S_NODE_LOST_MS = 40_000;
/** tolerateSec of EVE's app templates: 15 s. */
export const EVE_TOLERATION_MS = 15_000;
/** From the loss of a node to its pods' eviction. */
export const EVICTION_GRACE_MS = K3S_NODE_LOST_MS + EVE_TOLERATION_MS;
/**
 * Silence after which we call a node lost without the leader's word: EVE's config poll interval is 60 s
 * (timer.config.interval), so two missed polls.
 */
export const DEFAULT_SILENCE_MS = 120_000;

export interface NodeLiveness {
  uuid: string;
  name: string;
  /** Last accepted request from the node (DeviceRecord.lastContactAt). */
  lastContactAt?: number;
  /** The leader's READY condition for the node and when it last changed (ZInfoKubeCluster, eve-api-facts §1.3). */
  leaderReady?: { ready: boolean; since?: number };
}

export type Liveness = { lost: false } | { lost: true; since: number; why: string };

/** Lost: the leader says NotReady, or the node has been silent longer than silenceMs. */
export function liveness(n: NodeLiveness | undefined, now: number, silenceMs = DEFAULT_SILENCE_MS): Liveness {
  if (!n) return { lost: true, since: now, why: 'not a node of this cluster' };
  if (n.leaderReady && !n.leaderReady.ready) {
    const since = n.leaderReady.since ?? n.lastContactAt ?? now;
    return { lost: true, since, why: `${n.name} is NotReady in the leader's ZInfoKubeCluster` };
  }
  if (n.lastContactAt !== undefined && now - n.lastContactAt > silenceMs) {
    const s = Math.round((now - n.lastContactAt) / 1000);
    return { lost: true, since: n.lastContactAt, why: `${n.name} has been silent for ${s} s` };
  }
  return { lost: false };
}
