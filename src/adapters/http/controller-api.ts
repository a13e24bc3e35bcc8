// EVE controller API v2 over HTTPS (eve-api-facts §3.1, §3.2). Thin: bytes in, Controller decides, bytes out.
// Every response carries a Content-Type, empty 200/201 included: EVE's onboarding client treats a missing
// header as a failed call.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { attest } from '../../core/eve/attest.js';
import { type ConfigBuilder, config } from '../../core/eve/config.js';
import type { Controller, Reply } from '../../core/eve/controller.js';
import { info, type ReportKind, report } from '../../core/eve/reports.js';
import { installErrorHandler } from './errors.js';

const PROTO = 'application/x-proto-binary';
const UUID_RE = '^[0-9a-fA-F-]{36}$';

export interface ControllerApiDeps {
  controller: Controller;
  configFor: ConfigBuilder;
  logger: Logger;
  https?: { key: string; cert: string };
}

export function buildControllerApi(deps: ControllerApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ subsystem: 'controller-api' }, { level: 'warn' }),
    bodyLimit: 32 * 1024 * 1024,
    ...(deps.https ? { https: { ...deps.https, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  installErrorHandler(app);

  const c = deps.controller;
  const send = (reply: FastifyReply, r: Reply) => {
    reply.code(r.status).header('content-type', PROTO);
    return reply.send(r.body ? Buffer.from(r.body) : '');
  };
  const body = (b: unknown): Uint8Array => (Buffer.isBuffer(b) ? new Uint8Array(b) : new Uint8Array());
  const base = '/api/v2/edgedevice';
  const id = { params: { type: 'object', properties: { uuid: { type: 'string', pattern: UUID_RE } } } };

  app.get(`${base}/certs`, (_req, reply) => send(reply, c.certs()));
  app.get(`${base}/ping`, (_req, reply) => send(reply, { status: 200 }));
  app.post(`${base}/register`, (req, reply) => send(reply, c.register(body(req.body))));
  app.post(`${base}/uuid`, (req, reply) => send(reply, c.uuid(body(req.body))));
  type P = { Params: { uuid: string; app?: string } };
  app.post<P>(`${base}/id/:uuid/config`, { schema: id }, (req, reply) =>
    send(reply, config(c, req.params.uuid, body(req.body), deps.configFor)),
  );
  app.post<P>(`${base}/id/:uuid/attest`, { schema: id }, (req, reply) =>
    send(reply, attest(c, req.params.uuid, body(req.body))),
  );
  app.post<P>(`${base}/id/:uuid/info`, { schema: id }, (req, reply) =>
    send(reply, info(c, req.params.uuid, body(req.body))),
  );
  const reports: [string, ReportKind][] = [
    ['metrics', 'metrics'],
    ['newlogs', 'newlogs'],
    ['flowlog', 'flowlog'],
    ['hardwarehealth', 'hardwarehealth'],
    ['apps/instanceid/:app/newlogs', 'appnewlogs'],
  ];
  for (const [path, kind] of reports) {
    app.post<P>(`${base}/id/:uuid/${path}`, { schema: id }, (req, reply) =>
      send(reply, report(c, req.params.uuid, kind, body(req.body))),
    );
  }
  return app;
}
