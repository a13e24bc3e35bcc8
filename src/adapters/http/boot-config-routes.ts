// The CONFIG of a live install decision. There is no site-wide CONFIG: /config.img (and the one inside
// installer.iso) is the CONFIG of the asking IP's live install decision; /config/<nonce>.img is the same bytes by
// the decision's nonce, for a short window (core/boot/grant.ts). GRUB sources the grub.cfg inside
// ($install_part)/config.img (grub_installer.cfg); the installer copies the config.img inside installer.iso.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerConfigFetch, answerInstallConfig } from '../../core/boot/callbacks.js';
import { EvebootError } from '../../core/errors.js';
import { generatedArtifact, serveArtifact } from './boot-artifacts.js';
import { type BootContext, GET } from './boot-context.js';
import { plainIp } from './boot-progress.js';

type FileReq = FastifyRequest<{ Params: { file: string } }>;

export function configRoutes(app: FastifyInstance, ctx: BootContext): void {
  app.route({ method: GET, url: '/config.img', handler: (req, reply) => configImg(ctx, req, reply) });
  app.route({ method: GET, url: '/config/:file', handler: (req: FileReq, reply) => byNonce(ctx, req, reply) });
}

/** The CONFIG of the asking IP's live install decision (core/boot/callbacks.ts answerInstallConfig decides). */
export function installConfigAt(ctx: BootContext, req: FastifyRequest, what: string, withNonce = false): Uint8Array {
  const ip = plainIp(req.ip);
  const raw = (req.query as { nonce?: unknown } | undefined)?.nonce;
  const nonce = typeof raw === 'string' ? raw : raw === undefined ? undefined : '';
  const a = answerInstallConfig(
    { ip, mac: ctx.ipMacs.mac(ip), nonce, withNonce, what, now: ctx.clock.now() },
    { machine: (mac) => ctx.bootStore.machine(mac), held: (n) => ctx.configs.get(n) },
  );
  const held = a.kind === 'ok' ? ctx.configs.get(a.nonce) : undefined;
  if (held) return held.bytes;
  for (const e of a.kind === 'refuse' ? a.events : []) ctx.emit(e);
  throw a.kind === 'refuse' ? a.error : new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', `${what}: no CONFIG is held`);
}

function configImg(ctx: BootContext, req: FastifyRequest, reply: FastifyReply) {
  const bytes = installConfigAt(ctx, req, 'config.img');
  return serveArtifact(req, reply, generatedArtifact('config.img', bytes), '/config.img', ctx);
}

function byNonce(ctx: BootContext, req: FileReq, reply: FastifyReply) {
  const nonce = req.params.file.replace(/\.img$/, '');
  const held = ctx.configs.get(nonce);
  const m = held ? ctx.bootStore.machine(held.mac) : undefined;
  ctx.apply(answerConfigFetch(held, m, nonce, plainIp(req.ip), ctx.clock.now())); // throws unless `held` opens
  return serveArtifact(req, reply, held && generatedArtifact('config.img', held.bytes), '/config.img', ctx);
}
