// The seed failure rule (issue 4): if the seed's :12346/status never answers cluster:<id> within a configurable
// time after its cluster config went out, and no node has initialised yet, another node becomes the seed and all
// three configs are re-issued. Once any etcd member exists this must never happen: the planner refuses, and we
// pass its reason on.
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { reassignSeed } from '../plan/seed.js';
import type { Readiness } from './evaluate.js';

/** kube-init's single-node → cluster transition and the token rotation take minutes on real hardware. */
export const DEFAULT_SEED_TIMEOUT_MS = 10 * 60_000;

export interface SeedWatchInput {
  plan: ClusterPlan;
  /** When the seed's config with the cluster went out (eve.config.delivered for the seed); undefined: not yet. */
  deliveredAt: number | undefined;
  now: number;
  timeoutMs?: number;
  readiness: Pick<Readiness, 'seedInitialised' | 'members'>;
}

export type SeedVerdict =
  | { kind: 'initialised' }
  | { kind: 'wait'; remainingMs: number }
  | { kind: 'reassign'; plan: ClusterPlan; reason: string }
  | { kind: 'refuse'; reason: string };

export function watchSeed(input: SeedWatchInput): SeedVerdict {
  const { plan, readiness } = input;
  if (readiness.seedInitialised) return { kind: 'initialised' };
  if (input.deliveredAt === undefined) return { kind: 'wait', remainingMs: input.timeoutMs ?? DEFAULT_SEED_TIMEOUT_MS };
  const remainingMs = input.deliveredAt + (input.timeoutMs ?? DEFAULT_SEED_TIMEOUT_MS) - input.now;
  if (remainingMs > 0) return { kind: 'wait', remainingMs };
  const seed = plan.nodes.find((n) => n.uuid === plan.seedUuid);
  const waited = Math.round((input.now - input.deliveredAt) / 1000);
  const result = reassignSeed(plan, plan.seedUuid, readiness.members.length > 0);
  if (result.kind === 'refuse') return { kind: 'refuse', reason: result.reason };
  const next = result.plan.nodes.find((n) => n.uuid === result.plan.seedUuid);
  return {
    kind: 'reassign',
    plan: result.plan,
    reason:
      `${seed?.name ?? plan.seedUuid}'s :12346/status did not answer cluster:<id> for ${waited} s and no node ` +
      `had initialised: ${next?.name ?? result.plan.seedUuid} is the seed now; all three configs are re-issued`,
  };
}
