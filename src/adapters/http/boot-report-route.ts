// GET /boot/report: the decision itself is core/boot/report.ts (identity → claim check → decision → script). This
// adapter stores the record, and for an install decision issues its own onboarding credential and holds the CONFIG
// carrying it under the grant's nonce; that CONFIG goes out only to the decision's IP, inside installer.iso (in
// place of its /config.img) and as /config.img (boot-config-routes.ts). The nonce reaches the machine only inside
// the script answered here (the installed/booting callbacks carry it).
import type { FastifyInstance } from 'fastify';
import { matchSiteNode } from '../../core/boot/decide.js';
import { expiredMachines, UNKNOWN_MACHINE_EXPIRY } from '../../core/boot/expiry.js';
import { answerReport, type BootSite } from '../../core/boot/report.js';
import type { BootMachine } from '../../ports/boot-store.js';
import { type BootContext, text } from './boot-context.js';
import { plainIp } from './boot-progress.js';
import { installRateLimit } from './client-limits.js';

type Query = Record<string, string | undefined>;
type Q = { Querystring: Query };

export function reportRoute(app: FastifyInstance, ctx: BootContext): void {
  // One iPXE boot reports once; 30 a minute per IP leaves room for retries and nothing for a flood.
  installRateLimit(app, { urls: ['/boot/report'], max: 30, windowMs: 60_000, clock: ctx.clock });
  app.get<Q>('/boot/report', async (req, reply) => text(reply, await report(ctx, req.query, plainIp(req.ip))));
}

/** Answers one identity report with its decision script, after recording what it changed. */
async function report(ctx: BootContext, query: Query, ip: string): Promise<string> {
  const now = ctx.clock.now();
  const site = ctx.site();
  ctx.configs.prune(now);
  const a = answerReport(query, ip, {
    site,
    images: ctx.images.list(),
    base: ctx.base,
    controller: ctx.controller,
    machine: (mac) => ctx.bootStore.machine(mac),
    leaseOf: (mac) => ctx.leaseOf?.(mac),
    leaseRequired: ctx.leaseRequired ?? false,
    onboarded: (m) => ctx.onboarded?.(m),
    random16: () => ctx.random.bytes(16),
    now,
  });
  for (const n of a.withdrawn) ctx.configs.drop(n);
  if (a.raised) ctx.log.warn({ mac: a.mac, ip }, a.raised.reason);
  if (a.attributed) ctx.ipMacs.note(ip, a.mac);
  let m = a.record;
  if (m && a.grant) {
    const serial = m.identity.serial;
    const cred = await ctx.issueOnboarding({ kind: 'install', mac: a.mac, serial });
    const bytes = ctx.configImageFor({ mac: a.mac, serial, credential: cred });
    ctx.configs.hold(a.grant.nonce, { mac: a.mac, bytes, expiresAt: a.grant.expiresAt });
    m = { ...m, grant: { ...a.grant, onboardCertHash: cred.certHash } };
    ctx.meter.reset(a.mac);
  }
  if (m) {
    ctx.bootStore.put(m);
    if (a.prev === undefined) forgetExpired(ctx, site, now);
  }
  for (const e of a.events) ctx.emit(e);
  const d = a.decision;
  if (m) ctx.log.info({ mac: a.mac, decision: d.kind, image: d.kind === 'install' ? d.image.id : undefined }, d.reason);
  return a.script;
}

/** Each new MAC may push out stale unknown ones, so made-up reports cannot grow the store without bound. */
function forgetExpired(ctx: BootContext, site: BootSite, now: number): void {
  const known = (m: BootMachine) => matchSiteNode(site.nodes, m).known;
  for (const old of expiredMachines(ctx.bootStore.machines(), known, now, UNKNOWN_MACHINE_EXPIRY))
    ctx.bootStore.remove(old);
}
