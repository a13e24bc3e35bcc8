// One error handler: coded errors become their status with the operator-facing message as text/plain;
// validation and parser errors are 400; anything else is a 500 whose details stay in the log.
import type { FastifyInstance } from 'fastify';
import { EvebootError } from '../../core/errors.js';
import { logUrl } from '../logger.js';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof EvebootError) {
      req.log.warn({ code: err.code, url: logUrl(req.url) }, err.message);
      return reply.code(err.status).header('content-type', 'text/plain').send(`${err.code}: ${err.message}\n`);
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) {
      return reply
        .code(status)
        .header('content-type', 'text/plain')
        .send(`EVEBOOT_ERR_BAD_REQUEST: ${(err as Error).message}\n`);
    }
    req.log.error({ err, url: logUrl(req.url) }, 'internal error');
    return reply.code(500).header('content-type', 'text/plain').send('EVEBOOT_ERR_INTERNAL: see the appliance log\n');
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .header('content-type', 'text/plain')
      .send(`EVEBOOT_ERR_NOT_FOUND: no route ${req.method} ${req.url}\n`),
  );
}
