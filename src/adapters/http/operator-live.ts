// Live updates over Server-Sent Events: a full snapshot on connect, then one delta per event (the nodes and
// clusters it changed, and the event itself). The browser's EventSource reconnects by itself and gets a fresh
// snapshot, so nothing is missed across a reconnect.
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
    res.write(`event: snapshot\ndata: ${JSON.stringify({ ...snap, nodes: deps.decorate(snap.nodes) })}\n\n`);
    const onDelta = (d: HubDelta) =>
      res.write(
        `id: ${d.event.id}\nevent: delta\ndata: ${JSON.stringify({ ...d, nodes: deps.decorate(d.nodes) })}\n\n`,
      );
    deps.events.on('delta', onDelta);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs);
    req.raw.on('close', () => {
      clearInterval(beat);
      deps.events.off('delta', onDelta);
    });
  });
}
