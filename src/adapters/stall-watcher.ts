// Stalls are a pure function of (progress, now), so nothing happens when a node just goes quiet. This timer looks
// at the progress picture now and then and turns each new stall into a stored event (`progress.stalled`), so a
// headless run's JSON lines and the event log carry it too, with its name when it has one (no-cluster-activity).
import type { HubSnapshot } from '../core/progress/hub.js';
import type { Clock } from '../ports/clock.js';
import type { Emit } from '../ports/events.js';

export interface StallWatcherDeps {
  snapshot: (now: number) => HubSnapshot;
  clock: Clock;
  emit: Emit;
  intervalMs: number;
}

export function startStallWatcher(deps: StallWatcherDeps): { tick(): void; stop(): void } {
  const told = new Set<string>();
  const tick = () => {
    for (const n of deps.snapshot(deps.clock.now()).nodes) {
      for (const s of n.steps) {
        const p = s.problem;
        if (p?.kind !== 'stalled') continue;
        const key = `${n.key}|${s.id}|${p.at}`;
        if (told.has(key)) continue;
        told.add(key);
        deps.emit({
          type: 'progress.stalled',
          ...(n.uuid ? { node: n.uuid } : {}),
          data: { key: n.key, name: n.name, step: s.id, code: p.code, what: p.what, todo: p.todo, since: p.at },
        });
      }
    }
  };
  const timer = setInterval(tick, deps.intervalMs);
  return { tick, stop: () => clearInterval(timer) };
}
