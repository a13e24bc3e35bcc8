// The HTTP boot API that iPXE, GRUB and the installer talk to (plain HTTP: Debian's iPXE has no HTTPS).
//   GET /boot/<mac>.ipxe | /boot/script?mac=   identity script (reports, then chains to /boot/report)
//   GET /boot/report?mac=…&uuid=…&net0=…        records identity, decides, answers the decision script
//   GET /boot/booting?mac=&stage=               "about to boot" beacon from the script (pixiecore trick)
//   GET|POST /boot/installed?mac=               installer (or test stand-in) says the install is done
//   GET|HEAD /artifacts/<image>/<path>          imported files (+ generated EFI/BOOT/grub.cfg); installer.iso
//                                               with the site CONFIG in place of its /config.img (core/iso)
//   GET|HEAD /installer.iso /config.img /EFI/BOOT/<f> /eveboot/overrides.cfg   root names GRUB asks for
// Nothing listens here: buildBootApi returns the app, the caller listens.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { type BootPolicy, decideBoot, matchSiteNode, type SiteNodeRef } from '../../core/boot/decide.js';
import { expiredMachines, UNKNOWN_MACHINE_EXPIRY } from '../../core/boot/expiry.js';
import { renderInstallerOverrides } from '../../core/boot/grub-netboot.js';
import { normalizeMac, parseIdentity, recordDecision, recordReport, softSerialOf } from '../../core/boot/identity.js';
import { renderBootScript, renderIdentityScript, standInKernelArgs } from '../../core/boot/ipxe-script.js';
import type { ImageManifest } from '../../core/boot/manifest.js';
import { etagOf } from '../../core/boot/range.js';
import { EvebootError } from '../../core/errors.js';
import type { BootMachine, BootStore } from '../../ports/boot-store.js';
import type { Clock } from '../../ports/clock.js';
import { servedGrubCfg } from '../grub-files.js';
import type { ImageStore } from '../image-store.js';
import { type Artifact, sendArtifact, unsafePath } from './boot-artifacts.js';
import { machineRoutes } from './boot-machine-routes.js';
import { type Emit, IpMacTable, ProgressMeter, plainIp } from './boot-progress.js';
import { installRateLimit } from './client-limits.js';
import { installErrorHandler } from './errors.js';

export interface BootSite {
  nodes: SiteNodeRef[];
  policy: BootPolicy;
  /** Installer options from the site (eve_install_disk=…, …), see installerArgs(). */
  installArgs: string[];
}

export interface BootApiDeps {
  bootStore: BootStore;
  images: ImageStore;
  /** `<ip>:<port>` where machines reach this API (IP literal: firmware may have no DNS). */
  httpServer: string;
  /** `<host>:<port>` of the EVE controller (eve_install_server, CONFIG `server`). */
  controller: string;
  site: () => BootSite;
  /** The CONFIG partition image (FAT, label CONFIG, 5120 KiB) for the machine asking: served as /config.img and
   *  inside installer.iso. Called per request; cache it on the caller's side. */
  configImageFor: (c: ConfigRequest) => Uint8Array;
  /** Serial of an onboarded controller device that is this machine, if any (install-once by onboarding). */
  onboarded?: (m: BootMachine) => string | undefined;
  /** Shared with the DHCP server's lease events, so downloads are attributed before the first report. */
  ipMacs?: IpMacTable;
  /** config.img holds the onboarding key: serve it only to clients whose last decision was install (default). */
  configImageOpen?: boolean;
  emit: Emit;
  clock: Clock;
  logger: Logger;
}

/** Who a CONFIG image is for: the machine whose last decision was install (undefined when configImageOpen). */
export interface ConfigRequest {
  mac?: string;
  machine?: BootMachine;
}

export function buildBootApi(deps: BootApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ subsystem: 'http-boot' }, { level: 'warn' }),
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  const ipMacs = deps.ipMacs ?? new IpMacTable();
  const base = `http://${deps.httpServer}`;
  const log = deps.logger.child({ subsystem: 'boot' });
  const meter = new ProgressMeter(deps.emit, deps.clock, (mac, path) => {
    const m = deps.bootStore.machine(mac);
    if (m && path.endsWith('/installer.iso') && m.lastDecision === 'install' && m.payloadServedAt === undefined) {
      deps.bootStore.put({ ...m, payloadServedAt: deps.clock.now(), reinstall: false });
      deps.emit({ type: 'boot.payload-served', data: { mac, path } });
    }
  });
  const macParam = (raw: unknown): string => {
    const mac = normalizeMac(typeof raw === 'string' ? raw : undefined);
    if (!mac) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'mac must be a MAC address like 52:54:00:12:34:56');
    return mac;
  };
  const text = (reply: FastifyReply, body: string) =>
    reply.header('content-type', 'text/plain; charset=utf-8').send(body);

  const identity = (req: FastifyRequest, reply: FastifyReply, rawMac: unknown) => {
    const mac = macParam(rawMac);
    ipMacs.note(req.ip, mac);
    deps.emit({ type: 'boot.script', data: { mac, ip: plainIp(req.ip) } });
    return text(reply, renderIdentityScript({ base }));
  };
  app.get<{ Params: { name: string } }>('/boot/:name', (req, reply) => {
    if (!req.params.name.endsWith('.ipxe')) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', 'ask for /boot/<mac>.ipxe');
    return identity(req, reply, req.params.name.slice(0, -5));
  });
  app.get<{ Querystring: { mac?: string } }>('/boot/script', (req, reply) => identity(req, reply, req.query.mac));

  // Each new MAC may push out stale unknown ones, so made-up reports cannot grow the store without bound.
  const forgetExpired = (site: BootSite, now: number) => {
    const known = (m: BootMachine) => matchSiteNode(site.nodes, m).known;
    for (const mac of expiredMachines(deps.bootStore.machines(), known, now, UNKNOWN_MACHINE_EXPIRY))
      deps.bootStore.remove(mac);
  };
  // One iPXE boot reports once; 30 a minute per IP leaves room for retries and nothing for a flood.
  installRateLimit(app, { urls: ['/boot/report'], max: 30, windowMs: 60_000, clock: deps.clock });
  app.get<{ Querystring: Record<string, string> }>('/boot/report', (req, reply) => {
    const mac = macParam(req.query.mac);
    const ip = plainIp(req.ip);
    ipMacs.note(ip, mac);
    const now = deps.clock.now();
    const site = deps.site();
    let m = recordReport(deps.bootStore.machine(mac), mac, parseIdentity(req.query), ip, now);
    const known = matchSiteNode(site.nodes, m);
    const d = decideBoot({
      machine: m,
      known,
      onboarded: deps.onboarded?.(m),
      images: deps.images.list(),
      policy: site.policy,
    });
    m = recordDecision(m, { kind: d.kind, reason: d.reason, image: d.kind === 'install' ? d.image : undefined });
    const isNew = deps.bootStore.machine(mac) === undefined;
    deps.bootStore.put(m);
    if (isNew) forgetExpired(site, now);
    if (d.kind === 'install') meter.reset(mac);
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
    log.info({ mac, decision: d.kind, image }, d.reason);
    const kernelArgs =
      d.kind === 'install' && d.image.boot.mode === 'kernel'
        ? standInKernelArgs({ base, mac, controller: deps.controller, installArgs: site.installArgs })
        : undefined;
    return text(reply, renderBootScript({ base, mac, decision: d, kernelArgs }));
  });

  app.get<{ Querystring: { mac?: string; stage?: string; image?: string } }>('/boot/booting', (req, reply) => {
    const mac = macParam(req.query.mac);
    const m = deps.bootStore.machine(mac);
    if (m) deps.bootStore.put({ ...m, bootingAt: deps.clock.now() });
    const stage = (req.query.stage ?? '').slice(0, 32);
    deps.emit({ type: 'boot.booting', data: { mac, stage, image: req.query.image ?? null } });
    return text(reply, 'ok\n');
  });

  machineRoutes(app, { ...deps, ipMacs });

  // Artifacts: versioned names, and the root names GRUB and EVE's grub_installer.cfg hard-code.
  const generated = (name: string, body: string | Uint8Array): Artifact => {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return { name, size: bytes.length, etag: etagOf(sha256hex(bytes)), source: { bytes } };
  };
  const http = deps.httpServer;
  /** CONFIG holds the onboarding key: only for a client whose last decision was install (unless configImageOpen). */
  const configFor = (req: FastifyRequest, what: string): ConfigRequest => {
    const mac = ipMacs.mac(plainIp(req.ip));
    const machine = mac ? deps.bootStore.machine(mac) : undefined;
    if (deps.configImageOpen || machine?.lastDecision === 'install') return { mac, machine };
    deps.emit({ type: 'boot.config-refused', data: { ip: plainIp(req.ip), mac: mac ?? null, what } });
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_ALLOWED',
      `${what} (it holds the onboarding key) goes only to machines being installed; ${plainIp(req.ip)} is not one`,
    );
  };
  const lookup = (req: FastifyRequest, imageId: string, path: string): Artifact | undefined => {
    const img = deps.images.get(imageId);
    if (!img) return undefined;
    if (img.boot.mode === 'grub' && path === 'EFI/BOOT/grub.cfg') {
      // The same bytes TFTP answers from the next-server, where GRUB under iPXE really reads it (grub-files.ts).
      return generated(`${img.id}/${path}`, servedGrubCfg(http, img.id));
    }
    const r = deps.images.resolve(imageId, path);
    if (!r) return undefined;
    const name = `${img.id}/${path}`;
    if (path === 'installer.iso') return patchedIso(img, name, r.file, r.absPath, () => configFor(req, name));
    return { name, size: r.file.size, etag: etagOf(r.file.sha256), source: { file: r.absPath } };
  };
  /** installer.iso with the CONFIG bytes for this machine in place of EVE's /config.img (eve-conformance §2). */
  const patchedIso = (
    img: ImageManifest,
    name: string,
    file: { size: number; sha256: string },
    absPath: string,
    who: () => ConfigRequest,
  ): Artifact => {
    const at = img.embeddedConfig;
    if (!at) {
      throw new EvebootError(
        'EVEBOOT_ERR_IMAGE_NO_CONFIG',
        `image ${img.id} was imported without locating config.img in installer.iso: re-import it with --force`,
      );
    }
    const bytes = deps.configImageFor(who());
    if (bytes.length !== at.size) {
      throw new EvebootError(
        'EVEBOOT_ERR_IMAGE_NO_CONFIG',
        `the CONFIG image is ${bytes.length} bytes but ${img.id}'s config.img is ${at.size}: they must match`,
      );
    }
    // Per image and per CONFIG: a client never mixes ranges of two different patched ISOs (If-Range, RFC 9110 §13.1.5).
    const etag = etagOf(sha256hex(new TextEncoder().encode(`${file.sha256}:${configHash(bytes)}`)));
    return { name, size: file.size, etag, source: { file: absPath, patch: { offset: at.offset, bytes } } };
  };
  const serve = (req: FastifyRequest, reply: FastifyReply, a: Artifact | undefined, what: string) => {
    if (!a) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `${what} is not served: check eveboot images list`);
    const ip = plainIp(req.ip);
    const who = { mac: ipMacs.mac(ip), ip };
    let at = 0;
    return sendArtifact(req, reply, a, {
      restart: () => meter.restart(who, a.name),
      seek: (offset) => {
        at = offset;
      },
      add: (n) => {
        meter.add(who, a.name, at, n, a.size);
        at += n;
      },
    });
  };
  /** Root names follow the image of the client's last install decision, else the newest import. */
  const rootImage = (req: FastifyRequest): string | undefined => {
    const mac = ipMacs.mac(plainIp(req.ip));
    return (mac && deps.bootStore.machine(mac)?.lastImage) || deps.images.list()[0]?.id;
  };

  const artifactRoute = (req: FastifyRequest<{ Params: { id: string; '*': string } }>, reply: FastifyReply) => {
    const path = req.params['*'];
    if (unsafePath(path) || unsafePath(req.params.id)) {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `refused path ${req.params.id}/${path}: no . or .. segments`);
    }
    return serve(req, reply, lookup(req, req.params.id, path), `/artifacts/${req.params.id}/${path}`);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/artifacts/:id/*', handler: artifactRoute });

  const rootRoute = (path: string) => (req: FastifyRequest, reply: FastifyReply) => {
    const id = rootImage(req);
    return serve(req, reply, id ? lookup(req, id, path) : undefined, `/${path}`);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/installer.iso', handler: rootRoute('installer.iso') });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/EFI/BOOT/:file',
    handler: (req: FastifyRequest<{ Params: { file: string } }>, reply) =>
      rootRoute(`EFI/BOOT/${req.params.file}`)(req, reply),
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/config.img',
    // Read by grub_installer.cfg for its grub.cfg only; the installer copies the one inside installer.iso.
    handler: (req, reply) => {
      const bytes = deps.configImageFor(configFor(req, 'config.img'));
      return serve(req, reply, generated('config.img', bytes), '/config.img');
    },
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/eveboot/overrides.cfg',
    handler: (req, reply) => {
      const mac = ipMacs.mac(plainIp(req.ip));
      const body = renderInstallerOverrides({ softSerial: mac ? softSerialOf(mac) : undefined });
      return serve(req, reply, generated('eveboot/overrides.cfg', body), '/eveboot/overrides.cfg');
    },
  });
  return app;
}

function sha256hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

const configHashes = new WeakMap<Uint8Array, string>();
/** The CONFIG image is rebuilt rarely and asked for on every Range request: hash each image once. */
function configHash(b: Uint8Array): string {
  const known = configHashes.get(b);
  if (known !== undefined) return known;
  const h = sha256hex(b);
  configHashes.set(b, h);
  return h;
}

/** Site boot options → installer words (eve-api-facts §6.3). */
export function installerArgs(boot: {
  installDisk?: string;
  persistDisks: string[];
  rebootAfterInstall: boolean;
  extraArgs: string[];
}): string[] {
  const a: string[] = [];
  if (boot.installDisk) a.push(`eve_install_disk=${boot.installDisk}`);
  if (boot.persistDisks.length > 0) a.push(`eve_persist_disk=${boot.persistDisks.join(',')}`);
  if (boot.rebootAfterInstall) a.push('eve_reboot_after_install');
  return [...a, ...boot.extraArgs];
}
