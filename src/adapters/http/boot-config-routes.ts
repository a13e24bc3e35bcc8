// The CONFIG of a live install decision. There is no site-wide CONFIG: /config.img (and the one inside
// installer.iso) is the CONFIG of the asking IP's live install decision; /config/<nonce>.img is the same bytes by
// the decision's nonce, for a short window (core/boot/grant.ts). GRUB sources the grub.cfg inside
// ($install_part)/config.img (grub_installer.cfg); the installer copies the config.img inside installer.iso.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerConfigFetch, grantAt } from '../../core/boot/callbacks.js';
import { EvebootError } from '../../core/errors.js';
import { generatedArtifact, serveArtifact } from './boot-artifacts.js';
import { type BootContext, GET } from './boot-context.js';
import { plainIp } from './boot-progress.js';

type FileReq = FastifyRequest<{ Params: { file: string } }>;

export function configRoutes(app: FastifyInstance, ctx: BootContext): void {
  app.route({ method: GET, url: '/config.img', handler: (req, reply) => configImg(ctx, req, reply) });
  app.route({ method: GET, url: '/config/:file', handler: (req: FileReq, reply) => byNonce(ctx, req, reply) });
}

/** The CONFIG held for the asking IP's live install decision. It holds that install's onboarding key, so it goes
 *  to that IP only; looking it up spends nothing (GRUB reads the ISO in many ranges). */
export function installConfigAt(ctx: BootContext, ip: string, what: string): Uint8Array {
  const mac = ctx.ipMacs.mac(ip);
  const g = grantAt(mac ? ctx.bootStore.machine(mac) : undefined, ip, ctx.clock.now());
  const held = g ? ctx.configs.get(g.nonce) : undefined;
  if (g && held && held.mac === g.mac) return held.bytes;
  ctx.emit({ type: 'boot.config-refused', data: { ip, mac: mac ?? null, what } });
  throw new EvebootError(
    'EVEBOOT_ERR_NOT_ALLOWED',
    `${what} (it holds the onboarding key) goes only to machines being installed; ${ip} is not being installed`,
  );
}

function configImg(ctx: BootContext, req: FastifyRequest, reply: FastifyReply) {
  const bytes = installConfigAt(ctx, plainIp(req.ip), 'config.img');
  return serveArtifact(req, reply, generatedArtifact('config.img', bytes), '/config.img', ctx);
}

function byNonce(ctx: BootContext, req: FileReq, reply: FastifyReply) {
  const nonce = req.params.file.replace(/\.img$/, '');
  const held = ctx.configs.get(nonce);
  const m = held ? ctx.bootStore.machine(held.mac) : undefined;
  ctx.apply(answerConfigFetch(held, m, nonce, plainIp(req.ip), ctx.clock.now())); // throws unless `held` opens
  return serveArtifact(req, reply, held && generatedArtifact('config.img', held.bytes), '/config.img', ctx);
}
