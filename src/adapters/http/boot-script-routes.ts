// The iPXE side of HTTP boot: the identity script (it reports, then chains to /boot/report) and the decision
// script's "about to boot" beacon. Decisions are in core/boot (callbacks.ts); this file only maps HTTP to them.
import type { FastifyInstance } from 'fastify';
import { answerBooting } from '../../core/boot/callbacks.js';
import { renderIdentityScript } from '../../core/boot/ipxe-script.js';
import { EvebootError } from '../../core/errors.js';
import { type BootContext, macParam, text } from './boot-context.js';
import { plainIp } from './boot-progress.js';

type Query = Record<string, string | undefined>;
type Named = { Params: { name: string } };

export function scriptRoutes(app: FastifyInstance, ctx: BootContext): void {
  app.get<Named>('/boot/:name', (req, reply) => text(reply, byName(ctx, req.ip, req.params.name)));
  app.get<{ Querystring: Query }>('/boot/script', (req, reply) => text(reply, identity(ctx, req.ip, req.query.mac)));
  app.get<{ Querystring: Query }>('/boot/booting', (req, reply) => text(reply, booting(ctx, req.ip, req.query)));
}

/** /boot/<mac>.ipxe */
function byName(ctx: BootContext, rawIp: string, name: string): string {
  if (!name.endsWith('.ipxe')) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', 'ask for /boot/<mac>.ipxe');
  return identity(ctx, rawIp, name.slice(0, -5));
}

function identity(ctx: BootContext, rawIp: string, rawMac: unknown): string {
  const mac = macParam(rawMac);
  ctx.ipMacs.note(rawIp, mac);
  ctx.emit({ type: 'boot.script', data: { mac, ip: plainIp(rawIp) } });
  return renderIdentityScript({ base: ctx.base });
}

function booting(ctx: BootContext, rawIp: string, q: Query): string {
  const mac = macParam(q.mac);
  ctx.apply(answerBooting(ctx.bootStore.machine(mac), mac, plainIp(rawIp), q, ctx.clock.now()));
  return 'ok\n';
}
