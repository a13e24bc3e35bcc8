// Stall detection is a pure function of (state, now): the step the node is on (active, or the next pending one
// after the last finished) has not moved for longer than its limit. The hint is advice, not a failure: the step
// keeps its status and the problem clears when the step moves.
import { stallHint } from './hints.js';
import type { NodeEffect, NodeState, NodeTransition } from './node-state.js';
import { STEPS, type Step, type StepId, stall } from './steps.js';

export type StallLimits = Record<StepId, number>;

const MIN = 60_000;

export const DEFAULT_STALL_LIMITS: StallLimits = {
  dhcp: MIN,
  tftp: MIN,
  identity: MIN,
  download: MIN,
  installer: 20 * MIN,
  installed: 30 * MIN,
  onboarded: 10 * MIN,
  attested: 5 * MIN,
  nics: 5 * MIN,
  config: 10 * MIN,
  // Counted from the config with the sealed token. EVE-k boots single-node first and enters cluster mode only
  // after Longhorn, KubeVirt and CDI are up (pkg/kube/kube-init/monitor/monitor.go): well over 15 min on real
  // hardware. 45 min leaves room for that before the named stall no-cluster-activity shows.
  'k3s-joined': 45 * MIN,
  ready: 10 * MIN,
};

/** Steps whose progress is a stream of events: a stall is silence, not duration. */
const STREAMING: readonly StepId[] = ['dhcp', 'tftp', 'download'];

export function currentStep(n: NodeState): { step: Step; since: number } | undefined {
  const active = n.steps.find((s) => s.status === 'active' || (s.status === 'pending' && s.problem));
  if (active?.status === 'active') {
    const since = STREAMING.includes(active.id) ? lastMove(n, active) : (active.startedAt ?? n.lastEventAt);
    return { step: active, since };
  }
  let lastEnd = n.firstSeenAt;
  let lastIndex = -1;
  for (const s of n.steps) {
    if (s.status === 'done' || s.status === 'skipped') {
      lastIndex = STEPS.indexOf(s.id);
      lastEnd = s.endedAt ?? lastEnd;
    }
  }
  const next = n.steps.find((s) => STEPS.indexOf(s.id) > lastIndex && s.status === 'pending');
  return next ? { step: next, since: lastEnd } : undefined;
}

function lastMove(n: NodeState, s: Step): number {
  if (s.id !== 'download') return n.lastEventAt;
  const times = Object.values(n.download).map((f) => f.lastAt);
  return times.length > 0 ? Math.max(...times) : (s.startedAt ?? n.lastEventAt);
}

export function checkStall(n: NodeState, now: number, limits: StallLimits = DEFAULT_STALL_LIMITS): NodeTransition {
  if (n.phase === 'failed' || n.phase === 'ready' || n.phase === 'down') return { state: n, effects: [] };
  const cur = currentStep(n);
  if (!cur) return { state: n, effects: [] };
  const idle = now - cur.since;
  if (idle < limits[cur.step.id]) return { state: n, effects: [] };
  const hint = stallHint(cur.step.id, n, Math.round(idle / 1000));
  // Repeated checks keep the first stall time; the text follows the growing idle time.
  const at = cur.step.problem?.at ?? now;
  const steps = stall(n.steps, cur.step.id, { kind: 'stalled', at, ...hint });
  const state = { ...n, steps };
  const effects: NodeEffect[] = cur.step.problem
    ? []
    : [
        {
          kind: 'step',
          node: n.key,
          step: cur.step.id,
          status: cur.step.status,
          at: now,
          problem: { kind: 'stalled', at, ...hint },
        },
      ];
  return { state, effects };
}
