// EVE controller API v2 over HTTPS (eve-api-facts §3.1, §3.2). Thin: bytes in, Controller decides, bytes out.
// Every response carries a Content-Type, empty 200/201 included: EVE's onboarding client treats a missing
// header as a failed call.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { attest } from '../../core/eve/attest.js';
import { type ConfigBuilder, config } from '../../core/eve/config.js';
import type { Controller, Reply } from '../../core/eve/controller.js';
import { register } from '../../core/eve/register.js';
import { info, type ReportKind, report } from '../../core/eve/reports.js';
import { installClientLimits } from './client-limits.js';
import { installErrorHandler } from './errors.js';

const PROTO = 'application/x-proto-binary';
const KiB = 1024;
const MiB = 1024 * KiB;
/**
 * Body limits per route, enforced by Fastify before buffering (Content-Length up front, else while streaming).
 * register/uuid/config carry a cert or a hash; attest carries certs and a quote whose event log EVE drops past
 * 62 KiB (attesttask.go maxQuotePayloadSize); only info and the log/metric uploads are large.
 */
export const BODY_LIMITS = { small: 64 * KiB, attest: 256 * KiB, info: 4 * MiB, logs: 8 * MiB };
/** In flight per client IP (an EVE node runs a handful of agents in parallel), and large uploads in total. */
export const CONTROLLER_CLIENT_LIMITS = {
  perIp: 8,
  heavyTotal: 8,
  // Simulated nodes of a demo or rehearsal all come from loopback; the large-upload cap still holds for them.
  exempt: (ip: string) => ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.'),
};
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
    bodyLimit: BODY_LIMITS.small,
    ...(deps.https ? { https: { ...deps.https, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  installErrorHandler(app);
  installClientLimits(app, CONTROLLER_CLIENT_LIMITS);

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
  app.post(`${base}/register`, (req, reply) => send(reply, register(c, body(req.body))));
  app.post(`${base}/uuid`, (req, reply) => send(reply, c.uuid(body(req.body))));
  type P = { Params: { uuid: string; app?: string } };
  app.post<P>(`${base}/id/:uuid/config`, { schema: id }, (req, reply) =>
    send(reply, config(c, req.params.uuid, body(req.body), deps.configFor)),
  );
  app.post<P>(`${base}/id/:uuid/attest`, { schema: id, bodyLimit: BODY_LIMITS.attest }, (req, reply) =>
    send(reply, attest(c, req.params.uuid, body(req.body))),
  );
  app.post<P>(`${base}/id/:uuid/info`, { schema: id, bodyLimit: BODY_LIMITS.info }, (req, reply) =>
    send(reply, info(c, req.params.uuid, body(req.body))),
  );
  const reports: [string, ReportKind, number][] = [
    ['metrics', 'metrics', BODY_LIMITS.info],
    ['newlogs', 'newlogs', BODY_LIMITS.logs],
    ['flowlog', 'flowlog', BODY_LIMITS.info],
    ['hardwarehealth', 'hardwarehealth', BODY_LIMITS.small],
    ['apps/instanceid/:app/newlogs', 'appnewlogs', BODY_LIMITS.logs],
  ];
  for (const [path, kind, bodyLimit] of reports) {
    app.post<P>(`${base}/id/:uuid/${path}`, { schema: id, bodyLimit }, (req, reply) =>
      send(reply, report(c, req.params.uuid, kind, body(req.body))),
    );
  }
  return app;
}
