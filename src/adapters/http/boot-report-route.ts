// GET /boot/report: records the identity an iPXE script reports, checks it for a second claimant, decides, and
// answers the decision script. An install decision mints a one-time grant (core/boot/grant.ts) and this decision's
// own onboarding credential; the CONFIG carrying it is kept in memory under the nonce and goes out only to the
// decision's IP: inside installer.iso (in place of its /config.img) and as /config.img (boot-api.ts). The nonce
// reaches the machine only inside the script answered here (the installed/booting callbacks carry it).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { checkBootClaim } from '../../core/boot/claims.js';
import { type BootDecision, decideBoot, matchSiteNode } from '../../core/boot/decide.js';
import { expiredMachines, UNKNOWN_MACHINE_EXPIRY } from '../../core/boot/expiry.js';
import { mintGrant } from '../../core/boot/grant.js';
import { normalizeMac, parseIdentity, recordDecision, recordReport } from '../../core/boot/identity.js';
import { renderBootScript, standInKernelArgs } from '../../core/boot/ipxe-script.js';
import { EvebootError } from '../../core/errors.js';
import type { OnboardBinding } from '../../core/eve/onboard-admission.js';
import type { BootMachine, BootStore } from '../../ports/boot-store.js';
import type { Clock, Random } from '../../ports/clock.js';
import type { ImageStore } from '../image-store.js';
import { type Emit, type IpMacTable, type ProgressMeter, plainIp } from './boot-progress.js';
import type { BootSite } from './boot-site.js';
import { installRateLimit } from './client-limits.js';

/** What goes into one decision's CONFIG besides the site's fixed parts. */
export interface ConfigContext {
  mac: string;
  serial?: string;
  credential: { certPem: string; keyPem: string };
}

export interface ReportDeps {
  bootStore: BootStore;
  images: ImageStore;
  controller: string;
  site: () => BootSite;
  onboarded?: (m: BootMachine) => string | undefined;
  /** The IP our DHCP server leased this MAC, if it did. */
  leaseOf?: (mac: string) => string | undefined;
  /** Our DHCP server is the site's (full mode): a report for a MAC we never leased to is refused. */
  leaseRequired?: boolean;
  issueOnboarding: (b: OnboardBinding) => Promise<{ certPem: string; keyPem: string; certHash: string }>;
  /** The CONFIG partition image for one install decision (FAT, label CONFIG, 5120 KiB: spliced into installer.iso). */
  configImageFor: (ctx: ConfigContext) => Uint8Array;
  random: Random;
  emit: Emit;
  clock: Clock;
}

/** One decision's CONFIG, kept until the grant closes or expires (restart: the machine PXE-boots again). */
export type ConfigImages = Map<string, { mac: string; bytes: Uint8Array; expiresAt: number }>;

export function reportRoute(
  app: FastifyInstance,
  deps: ReportDeps & { base: string; ipMacs: IpMacTable; meter: ProgressMeter; images: ImageStore; log: Logger },
  configs: ConfigImages,
): void {
  const text = (reply: FastifyReply, body: string) =>
    reply.header('content-type', 'text/plain; charset=utf-8').send(body);
  // Each new MAC may push out stale unknown ones, so made-up reports cannot grow the store without bound.
  const forgetExpired = (site: BootSite, now: number) => {
    const known = (m: BootMachine) => matchSiteNode(site.nodes, m).known;
    for (const old of expiredMachines(deps.bootStore.machines(), known, now, UNKNOWN_MACHINE_EXPIRY))
      deps.bootStore.remove(old);
  };
  // One iPXE boot reports once; 30 a minute per IP leaves room for retries and nothing for a flood.
  installRateLimit(app, { urls: ['/boot/report'], max: 30, windowMs: 60_000, clock: deps.clock });
  app.get<{ Querystring: Record<string, string> }>('/boot/report', async (req, reply) => {
    const mac = normalizeMac(req.query.mac);
    if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'mac must be a MAC address like 52:54:00:12:34:56');
    const ip = plainIp(req.ip);
    const now = deps.clock.now();
    const site = deps.site();
    const prev = deps.bootStore.machine(mac);
    for (const [n, c] of configs) if (c.expiresAt < now) configs.delete(n);
    let m = recordReport(prev, mac, parseIdentity(req.query), ip, now);
    const known = matchSiteNode(site.nodes, m);
    const claim = checkBootClaim({
      machine: prev,
      mac,
      ip,
      leaseIp: deps.leaseOf?.(mac),
      leaseRequired: deps.leaseRequired,
      now,
    });
    let d: BootDecision;
    if (claim.kind === 'refuse') {
      // Nothing recorded: a stranger's words must not change the record of the machine it names.
      deps.emit({ type: 'trust.suspicious', node: known.name, data: { mac, ip, reason: claim.reason } });
      const script = renderBootScript({
        base: deps.base,
        mac,
        decision: { kind: 'hold', method: site.policy.localBoot, reason: claim.reason },
      });
      return text(reply, script);
    }
    if (claim.kind === 'conflict') {
      const c = claim.conflict;
      if (prev?.conflict !== c) {
        deps.emit({ type: 'trust.conflict', node: known.name, data: { ...c } });
        deps.log.warn({ mac, ip }, c.reason);
      }
      // The live decision is withdrawn: its nonce no longer opens anything, for either claimant.
      if (prev?.grant) configs.delete(prev.grant.nonce);
      m = { ...m, conflict: c, ...(m.grant ? { grant: { ...m.grant, closedAt: m.grant.closedAt ?? now } } : {}) };
      d = { kind: 'hold', method: site.policy.localBoot, reason: `${c.reason}: held for the operator` };
    } else {
      deps.ipMacs.note(ip, mac);
      d = decideBoot({
        machine: m,
        known,
        onboarded: deps.onboarded?.(m),
        images: deps.images.list(),
        policy: site.policy,
      });
    }
    m = recordDecision(m, { kind: d.kind, reason: d.reason, image: d.kind === 'install' ? d.image : undefined });
    let nonce: string | undefined;
    if (d.kind === 'install') {
      if (m.grant) configs.delete(m.grant.nonce);
      const grant = mintGrant({ random16: deps.random.bytes(16), mac, ip, now });
      const serial = m.identity.serial;
      const cred = await deps.issueOnboarding({ kind: 'install', mac, serial });
      configs.set(grant.nonce, {
        mac,
        bytes: deps.configImageFor({ mac, serial, credential: cred }),
        expiresAt: grant.expiresAt,
      });
      m = { ...m, grant: { ...grant, onboardCertHash: cred.certHash } };
      nonce = grant.nonce;
      deps.meter.reset(mac);
    }
    deps.bootStore.put(m);
    if (prev === undefined) forgetExpired(site, now);
    const id = m.identity;
    deps.emit({
      type: 'boot.report',
      node: known.name,
      data: {
        mac,
        ip,
        uuid: id.uuid,
        serial: id.serial,
        buildarch: id.buildarch,
        platform: id.platform,
        nics: id.nics,
      },
    });
    const image = d.kind === 'install' ? d.image.id : undefined;
    deps.emit({ type: 'boot.decision', node: known.name, data: { mac, decision: d.kind, reason: d.reason, image } });
    deps.log.info({ mac, decision: d.kind, image }, d.reason);
    const base = deps.base;
    const kernelArgs =
      d.kind === 'install' && d.image.boot.mode === 'kernel'
        ? standInKernelArgs({
            base,
            mac,
            controller: deps.controller,
            installArgs: site.installArgs,
            imageId: d.image.id,
            nonce,
          })
        : undefined;
    return text(reply, renderBootScript({ base, mac, decision: d, kernelArgs, nonce }));
  });
}
