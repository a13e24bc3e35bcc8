// Live updates over Server-Sent Events: a full snapshot on connect, then one delta per event (the nodes and
// clusters it changed, and the event itself). The browser's EventSource reconnects by itself and gets a fresh
// snapshot, so nothing is missed across a reconnect. Workloads ride along: in the snapshot, and as a `workloads`
// event whenever an event (a workload status change) or the workloads tick finds them changed; the tick catches
// what moves without an event (download progress, a node falling silent).
import type { FastifyInstance } from 'fastify';
import type { HubDelta, ProgressHub } from '../../core/progress/hub.js';
import type { Clock } from '../../ports/clock.js';
import type { LiveEvents } from '../event-log.js';

export interface LiveDeps {
  events: LiveEvents;
  hub: ProgressHub;
  clock: Clock;
  heartbeatMs: number;
  /** Adds what the event fold cannot know (the NIC inventory) to node views. */
  decorate: <T extends { uuid?: string }>(nodes: T[]) => unknown[];
  /** Every cluster's workload answer (operator-workloads.ts), when the workload side is wired. */
  workloads?: () => unknown[];
  /** How often the workloads are compared without an event (default 2 s). */
  workloadsMs?: number;
}

export function registerLive(app: FastifyInstance, deps: LiveDeps): void {
  app.get('/api/v1/live', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const snap = deps.hub.snapshot(deps.clock.now());
    const first = deps.workloads?.();
    let sent = first && JSON.stringify(first);
    res.write(
      `event: snapshot\ndata: ${JSON.stringify({ ...snap, nodes: deps.decorate(snap.nodes), workloads: first })}\n\n`,
    );
    const sendWorkloads = () => {
      if (!deps.workloads) return;
      let now: string;
      try {
        now = JSON.stringify(deps.workloads());
      } catch (err) {
        // Runs on a timer: a failure here must not take the process down; the next tick tries again.
        req.log.warn({ err }, 'workloads view failed');
        return;
      }
      if (now === sent) return;
      sent = now;
      res.write(`event: workloads\ndata: ${now}\n\n`);
    };
    const onDelta = (d: HubDelta) => {
      res.write(
        `id: ${d.event.id}\nevent: delta\ndata: ${JSON.stringify({ ...d, nodes: deps.decorate(d.nodes) })}\n\n`,
      );
      sendWorkloads();
    };
    deps.events.on('delta', onDelta);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs);
    const tick = deps.workloads ? setInterval(sendWorkloads, deps.workloadsMs ?? 2000) : undefined;
    req.raw.on('close', () => {
      clearInterval(beat);
      clearInterval(tick);
      deps.events.off('delta', onDelta);
    });
  });
}
