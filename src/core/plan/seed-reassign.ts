// Moving the seed after the plan is made (when: core/readiness/seed-watch.ts). Kept out of seed.ts, which the
// planner imports, so that nothing the planner uses imports the planner's plan type back.
import type { ClusterPlan } from './cluster-plan.js';

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
