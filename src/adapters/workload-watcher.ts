// Every few seconds, for each cluster whose workloads went out: compute the app views from the stored reports,
// persist any new move (core/workloads/moves.ts) and record it as a `workload.moved` event; a change of an app's
// phase is recorded as `workload.app-phase`. The deciding is in core; this is the timer and the store.
import type { WorkloadsSpec } from '../core/workloads/model.js';
import { refreshWorkloadStatus, type StatusNode } from '../core/workloads/status-input.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export interface WorkloadWatcherDeps {
  store: Store;
  clock: Clock;
  emit: (e: { type: string; node?: string; data: Record<string, unknown> }) => void;
  /** The cluster's declared workloads, if any. */
  spec: (cluster: string) => WorkloadsSpec | undefined;
  /** The cluster's nodes (UUID and name), from its plan. */
  nodes: (cluster: string) => StatusNode[];
  intervalMs: number;
  /** Node loss → eviction, when the cluster's K3s is known to differ from EVE-k's 55 s (the demo). */
  evictionMs?: number;
  /** Silence after which a node counts as lost without the leader's word (default: two EVE config intervals). */
  silenceMs?: number;
}

export interface WorkloadWatcher {
  tick(): void;
  stop(): void;
}

export function startWorkloadWatcher(deps: WorkloadWatcherDeps): WorkloadWatcher {
  const phases = new Map<string, string>();
  const tick = () => {
    for (const c of deps.store.clusters()) {
      const spec = deps.spec(c.name);
      if (!spec || c.workloads?.deployedAt === undefined) continue;
      const { views, added } = refreshWorkloadStatus(deps.store, c, deps.nodes(c.name), {
        spec,
        now: deps.clock.now(),
        ...(deps.evictionMs !== undefined ? { graceMs: deps.evictionMs } : {}),
        ...(deps.silenceMs !== undefined ? { silenceMs: deps.silenceMs } : {}),
      });
      for (const { app, move } of added) {
        deps.emit({
          type: 'workload.moved',
          data: { cluster: c.name, app, ...move, tookMs: move.runningAt - move.lostAt },
        });
      }
      for (const v of views) {
        const key = `${c.name}/${v.name}`;
        const now = `${v.phase}|${v.effectiveNode ?? ''}`;
        if (phases.get(key) === now) continue;
        phases.set(key, now);
        deps.emit({
          type: 'workload.app-phase',
          data: {
            cluster: c.name,
            app: v.name,
            phase: v.phase,
            effectiveNode: v.effectiveNode ?? null,
            detail: v.detail ?? '',
          },
        });
      }
    }
  };
  const timer = setInterval(tick, deps.intervalMs);
  return { tick, stop: () => clearInterval(timer) };
}
