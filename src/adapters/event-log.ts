// The one owner of the appliance's events. Every part emits through this EventSink; the log then
//   1. appends the event to the store (inside the caller's transaction, so a plan and its event commit together),
//   2. folds it into the progress hub (node timelines and cluster state machines),
//   3. writes the derived cluster state into the store (ClusterRecord.state: nothing else writes it),
//   4. after the commit: appends a device record when a node reaches ready or failed, and pushes the event and the
//      hub's delta to the live stream (headless stdout, SSE, the demo's terminal).
// Only the store append can fail the caller (its transaction must fail with it); a consumer that throws loses its
// own work and is logged, never thrown into a packet path or an API answer.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { clusterOf, type HubDelta, type ProgressHub } from '../core/progress/hub.js';
import { buildReports } from '../core/report/build.js';
import type { Clock } from '../ports/clock.js';
import type { ApplianceEvent, EventSink, RecordedEvent } from '../ports/events.js';
import type { Store, StoredEvent } from '../ports/store.js';
import type { RecordLog } from './record-log.js';

export type LiveEvents = EventEmitter<{ event: [RecordedEvent]; delta: [HubDelta] }>;

export interface EventLog extends EventSink {
  /** The live stream: every stored event and the hub's delta for it, after its transaction. */
  live: LiveEvents;
}

export interface EventLogDeps {
  store: Store;
  /** Runs a function once the current store transaction has ended (adapters/publish-after-commit.ts). */
  publish: (fn: () => void) => void;
  hub: ProgressHub;
  clock: Clock;
  logger: Logger;
  records: RecordLog;
  /** Station id written into the device records. */
  station: string;
}

/** Replays the stored events into the hub (a restart resumes the same picture), then takes new ones. */
export function openEventLog(deps: EventLogDeps): EventLog {
  const { store, hub, clock } = deps;
  const log = deps.logger.child({ subsystem: 'events' });
  const live: LiveEvents = new EventEmitter();
  const deviceCluster = (uuid: string) => store.deviceByUuid(uuid)?.cluster || undefined;

  const fold = (e: RecordedEvent): HubDelta => {
    const delta = hub.fold(e, clusterOf(e, deviceCluster), clock.now());
    for (const ch of delta.changed) {
      const c = store.cluster(ch.cluster);
      if (c && c.state !== ch.to) store.putCluster({ ...c, state: ch.to, updatedAt: clock.now() });
    }
    return delta;
  };
  // Events in the store were all written through emit below: their type and payload are an ApplianceEvent.
  const recorded = (s: StoredEvent) => s as unknown as RecordedEvent;
  for (let batch = store.events(0, 5000), last = 0; batch.length > 0; batch = store.events(last, 5000)) {
    for (const e of batch) fold(recorded(e));
    last = batch[batch.length - 1]!.id;
  }

  const lastResult = new Map<string, string>();
  const recordResults = (delta: HubDelta) => {
    for (const n of delta.nodes) {
      const result = n.phase === 'ready' || n.phase === 'failed' ? n.phase : undefined;
      if (!result || !n.uuid || lastResult.get(n.uuid) === result) continue;
      lastResult.set(n.uuid, result);
      const report = buildReports(store, [n], deps.station).find((r) => r.eveUuid === n.uuid);
      if (report) deps.records.append(report);
    }
  };
  const guarded = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      log.error({ err }, `${what} failed`);
    }
  };

  return {
    live,
    emit(e: ApplianceEvent) {
      const stored = recorded(store.addEvent({ at: clock.now(), ...e, data: { ...e.data } }));
      log.info({ type: e.type, node: e.node, ...e.data }, e.type);
      let delta: HubDelta | undefined;
      guarded(`folding ${e.type}`, () => {
        delta = fold(stored);
      });
      deps.publish(() => {
        if (delta) guarded('the device record', () => recordResults(delta!));
        // Each listener on its own: one that throws loses its own work, not the others' nor the caller's.
        for (const l of live.rawListeners('event')) guarded('a live listener', () => l(stored));
        for (const l of delta ? live.rawListeners('delta') : []) guarded('a live listener', () => l(delta!));
      });
    },
  };
}
