// The seed re-designation rule. Moving the seed while the old one may already run cluster-init gives two etcd
// clusters, and a joiner that already waits keeps its old join URL (eve-conformance §3). So the seed moves only
// when ALL of these hold:
//   1. the seed got its cluster config and has been silent since (no config, info, metrics or any other signed
//      request) for the whole timeout, counted from its last contact: a seed that still polls is alive and busy;
//   2. no node shows cluster-mode activity (a cluster address on a port, a zedkube or K3s answer on a cluster IP,
//      a ZInfoKubeCluster for this cluster or with a clustered admission, cluster_app_running);
//   3. no etcd member exists.
// The default timeout fits EVE-k's first boot: single-node first, cluster mode only after Longhorn, KubeVirt and
// CDI are up (pkg/kube/kube-init/monitor/monitor.go), which on real hardware can take well over 15 minutes.
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { reassignSeed } from '../plan/seed-reassign.js';
import type { Readiness } from './evaluate.js';

export const DEFAULT_SEED_TIMEOUT_MS = 60 * 60_000;

export interface SeedWatchInput {
  plan: ClusterPlan;
  /** When the seed's config with the cluster went out; undefined: not yet. */
  deliveredAt: number | undefined;
  /** The seed's last signed request of any kind (DeviceRecord.lastContactAt). */
  lastContactAt: number | undefined;
  now: number;
  timeoutMs?: number;
  readiness: Pick<Readiness, 'seedInitialised' | 'members'>;
  /** clusterActivity(): what shows that some node is in cluster mode. */
  activity: string[];
}

export type SeedVerdict =
  | { kind: 'initialised' }
  | { kind: 'wait'; remainingMs: number }
  | { kind: 'hold'; reason: string }
  | { kind: 'reassign'; plan: ClusterPlan; reason: string }
  | { kind: 'refuse'; reason: string };

export function watchSeed(input: SeedWatchInput): SeedVerdict {
  const { plan, readiness } = input;
  const timeoutMs = input.timeoutMs ?? DEFAULT_SEED_TIMEOUT_MS;
  if (readiness.seedInitialised) return { kind: 'initialised' };
  if (input.deliveredAt === undefined) return { kind: 'wait', remainingMs: timeoutMs };
  const silentSince = Math.max(input.deliveredAt, input.lastContactAt ?? input.deliveredAt);
  const remainingMs = silentSince + timeoutMs - input.now;
  if (remainingMs > 0) return { kind: 'wait', remainingMs };
  const seed = plan.nodes.find((n) => n.uuid === plan.seedUuid);
  const who = seed?.name ?? plan.seedUuid;
  const silent = `${who} has sent nothing for ${minutes(input.now - silentSince)}`;
  if (input.activity.length > 0) {
    return {
      kind: 'hold',
      reason:
        `${silent}, but a node is already in cluster mode (${input.activity.join('; ')}): ${who} stays the seed, ` +
        `since moving it now could start a second etcd cluster and joiners keep the join URL they started with. ` +
        `Bring ${who} back online`,
    };
  }
  const result = reassignSeed(plan, plan.seedUuid, readiness.members.length > 0);
  if (result.kind === 'refuse') return { kind: 'refuse', reason: `${silent}; ${result.reason}` };
  const next = result.plan.nodes.find((n) => n.uuid === result.plan.seedUuid);
  return {
    kind: 'reassign',
    plan: result.plan,
    reason:
      `${silent} (no config, info or metrics request), no node shows cluster-mode activity and no etcd member ` +
      `exists: ${next?.name ?? result.plan.seedUuid} is the seed now; all three configs are re-issued`,
  };
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
