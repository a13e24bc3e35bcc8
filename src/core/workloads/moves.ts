// Move history: when an app's effective node changes, one AppMove is appended to WorkloadState.moves. The last
// running node per app is persisted with it (WorkloadState.running), so a restart neither loses a move nor
// records one twice when the same reports are seen again.
import { DEFAULT_SILENCE_MS, liveness } from './liveness.js';
import { type AppMove, type WorkloadState, workloadUuid } from './model.js';
import { type StatusInput, whereabouts } from './status.js';

export interface MoveUpdate {
  state: WorkloadState;
  added: { app: string; move: AppMove }[];
  /** The state differs from input.state (persist it). */
  changed: boolean;
}

export function recordMoves(input: StatusInput): MoveUpdate {
  const before: WorkloadState = input.state ?? { apps: {}, volumes: {}, moves: {} };
  const running = { ...(before.running ?? {}) };
  const moves = { ...before.moves };
  const added: MoveUpdate['added'] = [];
  const nameOf = (u: string) => input.nodes.find((n) => n.uuid === u)?.name ?? u;
  let changed = false;
  for (const app of input.spec.apps) {
    const w = whereabouts(input, app, workloadUuid(input.clusterId, 'app', app.name));
    if (w.kind !== 'running') continue;
    const prev = running[app.name];
    if (prev?.nodeUuid === w.nodeUuid) {
      if (w.at > prev.lastSeen) {
        running[app.name] = { ...prev, lastSeen: w.at };
        changed = true;
      }
      continue;
    }
    running[app.name] = { nodeUuid: w.nodeUuid, since: w.at, lastSeen: w.at };
    changed = true;
    // A claim older than what we already hold says nothing new (a late or replayed report).
    if (!prev || w.at <= prev.since) continue;
    const old = liveness(
      input.nodes.find((n) => n.uuid === prev.nodeUuid),
      input.now,
      input.silenceMs ?? DEFAULT_SILENCE_MS,
    );
    const placement = before.apps[app.name];
    const reason: AppMove['reason'] = old.lost
      ? 'failover'
      : placement?.reason === 'manual' && placement.nodeUuid === w.nodeUuid
        ? 'manual'
        : 'unknown';
    const move: AppMove = {
      fromNode: nameOf(prev.nodeUuid),
      toNode: nameOf(w.nodeUuid),
      lostAt: old.lost ? Math.min(old.since, w.at) : prev.lastSeen,
      runningAt: w.at,
      reason,
    };
    const history = moves[app.name] ?? [];
    const dup = history.some(
      (m) => m.fromNode === move.fromNode && m.toNode === move.toNode && m.runningAt === move.runningAt,
    );
    if (dup) continue;
    moves[app.name] = [...history, move];
    added.push({ app: app.name, move });
  }
  return { state: { ...before, running, moves }, added, changed };
}
