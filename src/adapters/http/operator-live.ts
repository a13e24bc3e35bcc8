// Live updates over Server-Sent Events: every stored event since ?since=<id> (or all), then each new one as it
// happens. The browser's EventSource reconnects by itself and resumes from Last-Event-ID.
import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { Store, StoredEvent } from '../../ports/store.js';

export interface LiveDeps {
  events: EventEmitter<{ event: [StoredEvent] }>;
  store: Store;
  heartbeatMs: number;
}

export function registerLive(app: FastifyInstance, deps: LiveDeps): void {
  app.get<{ Querystring: { since?: string } }>('/api/v1/live', (req, reply) => {
    const last = Number(req.headers['last-event-id'] ?? req.query.since ?? 0) || 0;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (e: StoredEvent) => res.write(`id: ${e.id}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`);
    let sent = last;
    for (let batch = deps.store.events(sent, 1000); batch.length > 0; batch = deps.store.events(sent, 1000)) {
      for (const e of batch) send(e);
      sent = batch[batch.length - 1]!.id;
    }
    res.write(`event: synced\ndata: ${JSON.stringify({ id: sent })}\n\n`);
    const onEvent = (e: StoredEvent) => {
      if (e.id > sent) {
        sent = e.id;
        send(e);
      }
    };
    deps.events.on('event', onEvent);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs);
    req.raw.on('close', () => {
      clearInterval(beat);
      deps.events.off('event', onEvent);
    });
  });
}
