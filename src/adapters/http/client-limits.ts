// Fastify glue for core/boot/client-budget.ts. The slot is taken in onRequest, before the body is read, so a
// refused upload is never buffered; the answer is 429 with Connection: close, so the socket and whatever the
// client still sends are dropped. Released once the response is done or the client went away.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type BudgetLimits, ClientBudget, RateWindow } from '../../core/boot/client-budget.js';
import { EvebootError } from '../../core/errors.js';
import type { Clock } from '../../ports/clock.js';

const HELD = Symbol('held');
type Marked = FastifyRequest & { [HELD]?: boolean };

/** Routes whose bodyLimit is above this count as heavy uploads (shared global budget). */
const HEAVY_BYTES = 256 * 1024;

export function installClientLimits(app: FastifyInstance, limits: BudgetLimits): ClientBudget {
  const budget = new ClientBudget(limits);
  const heavy = (req: FastifyRequest) => (req.routeOptions.bodyLimit ?? 0) > HEAVY_BYTES;
  app.addHook('onRequest', (req, reply, done) => {
    const verdict = budget.admit(req.ip, heavy(req));
    if (verdict.kind === 'refuse') {
      reply.header('connection', 'close');
      return done(new EvebootError('EVEBOOT_ERR_BUSY', `${verdict.reason}; retry later`));
    }
    (req as Marked)[HELD] = true;
    const release = () => {
      if (!(req as Marked)[HELD]) return;
      (req as Marked)[HELD] = false;
      budget.release(req.ip, heavy(req));
    };
    reply.raw.once('close', release);
    reply.raw.once('finish', release);
    done();
  });
  return budget;
}

/** At most `max` requests per IP per window on the routes whose URL matches. */
export function installRateLimit(
  app: FastifyInstance,
  opts: { urls: string[]; max: number; windowMs: number; clock: Clock },
): void {
  const window = new RateWindow(opts.max, opts.windowMs);
  app.addHook('onRequest', (req, _reply, done) => {
    if (!opts.urls.includes(req.routeOptions.url ?? '')) return done();
    const verdict = window.take(req.ip, opts.clock.now());
    if (verdict.kind === 'admit') return done();
    done(new EvebootError('EVEBOOT_ERR_BUSY', verdict.reason));
  });
}
