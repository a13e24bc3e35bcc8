// The seed (bootstrap) node is not a field: it is the node whose cluster_ip_prefix address equals join_server_ip
// (eve-api-facts §1.4 step 3). It starts K3s with cluster-init; the others join it (eve-api-facts §5.2).
import type { ClusterPlan } from './cluster-plan.js';
import { byNodeOrder, type NodeNics, displayName as who } from './inventory.js';

export type SeedResult = { kind: 'ok'; uuid: string; why: string } | { kind: 'error'; message: string };

/** Default: the lowest serial (natural order), then the lowest UUID. An operator override wins. */
export function chooseSeed(nodes: NodeNics[], override?: string): SeedResult {
  if (override) {
    const node = nodes.find((n) => n.uuid === override || n.serial === override || n.name === override);
    if (!node) {
      const known = nodes.map(who).join(', ');
      return {
        kind: 'error',
        message: `seed override "${override}" matches none of ${known}: fix the site file or UI`,
      };
    }
    return { kind: 'ok', uuid: node.uuid, why: `${who(node)}: operator override` };
  }
  const first = [...nodes].sort(byNodeOrder)[0];
  if (!first) return { kind: 'error', message: 'no nodes to choose a seed from' };
  return { kind: 'ok', uuid: first.uuid, why: `${who(first)}: lowest serial (${first.serial || first.uuid})` };
}

export type Reassignment = { kind: 'ok'; plan: ClusterPlan } | { kind: 'refuse'; reason: string };

/**
 * The seed went silent before anything ran in cluster mode (core/readiness/seed-watch.ts decides when). Designate
 * the next node in plan order, but never once an etcd member exists: a new cluster-init would split the cluster.
 * Addresses stay where they are (the silent seed may still hold its IP); only join_server_ip and the roles move.
 */
export function reassignSeed(plan: ClusterPlan, failedSeedUuid: string, anyEtcdMemberExists: boolean): Reassignment {
  const failed = plan.nodes.findIndex((n) => n.uuid === failedSeedUuid);
  const seed = plan.nodes.find((n) => n.uuid === plan.seedUuid);
  if (failed < 0 || failedSeedUuid !== plan.seedUuid) {
    return { kind: 'refuse', reason: `${failedSeedUuid} is not the seed (${seed?.name ?? plan.seedUuid} is)` };
  }
  const old = plan.nodes[failed]!;
  if (anyEtcdMemberExists) {
    return {
      kind: 'refuse',
      reason:
        `an etcd member already exists, so ${old.name} stays the seed: a second cluster-init would split the ` +
        `cluster (eve-api-facts §5.2). Bring ${old.name} back online`,
    };
  }
  const next = plan.nodes[(failed + 1) % plan.nodes.length]!;
  return {
    kind: 'ok',
    plan: {
      ...plan,
      seedUuid: next.uuid,
      seedWhy: `${next.name}: ${old.name} went silent before any node was in cluster mode, so the next node took over`,
      joinServerIp: next.ip,
      nodes: plan.nodes.map((n) => ({ ...n, role: n.uuid === next.uuid ? 'seed' : 'joiner' })),
    },
  };
}
