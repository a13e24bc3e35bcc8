// What a device's report says about workloads (issue #13): the apps that run on it (effective node) and the apps
// designated to it that run elsewhere or not at all, each with its designated and effective node, EVE's state,
// its phase and its moves. Pure: the views come in from the workload side.
import type { AppMove, AppView } from '../workloads/model.js';

export interface DeviceApp {
  name: string;
  cluster: string;
  /** here: runs on this device; designated: designated here, runs elsewhere or nowhere. */
  on: 'here' | 'designated';
  designatedNode: string;
  effectiveNode: string;
  phase: AppView['phase'];
  state: string;
  pendingMoveTo: string;
  moves: (AppMove & { tookMs: number })[];
}

export function deviceApps(deviceName: string, clusters: { cluster: string; apps: AppView[] }[]): DeviceApp[] {
  const out: DeviceApp[] = [];
  for (const w of clusters) {
    for (const a of w.apps) {
      const on = a.effectiveNode === deviceName ? 'here' : a.designatedNode === deviceName ? 'designated' : undefined;
      if (!on || !deviceName) continue;
      out.push({
        name: a.name,
        cluster: w.cluster,
        on,
        designatedNode: a.designatedNode,
        effectiveNode: a.effectiveNode ?? '',
        phase: a.phase,
        state: a.state ?? '',
        pendingMoveTo: a.pendingMove?.toNode ?? '',
        moves: a.moves.map((m) => ({ ...m, tookMs: Math.max(0, m.runningAt - m.lostAt) })),
      });
    }
  }
  return out;
}

/** One CSV cell: `web@node-b running (moved node-a→node-b)`, apps separated by `; `. */
export function deviceAppsCell(apps: DeviceApp[]): string {
  return apps
    .map((a) => {
      const where = a.effectiveNode ? `@${a.effectiveNode}` : '';
      const moves = a.moves.length ? ` (moved ${a.moves.map((m) => `${m.fromNode}→${m.toNode}`).join(', ')})` : '';
      const pending = a.pendingMoveTo ? ` (move to ${a.pendingMoveTo} pending)` : '';
      return `${a.name}${where} ${a.phase}${a.on === 'designated' ? ' designated here' : ''}${moves}${pending}`;
    })
    .join('; ');
}
