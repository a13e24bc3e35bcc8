// The HTTP boot API that iPXE, GRUB and the installer talk to (plain HTTP: Debian's iPXE has no HTTPS).
//   GET /boot/<mac>.ipxe | /boot/script?mac=   identity script (reports, then chains to /boot/report)
//   GET /boot/report?mac=…&uuid=…&net0=…        records identity, decides, answers the decision script
//   GET /boot/booting?mac=&stage=               "about to boot" beacon from the script (pixiecore trick)
//   GET|POST /boot/installed?mac=               installer (or test stand-in) says the install is done
//   GET|HEAD /artifacts/<image>/<path>          imported files (+ generated EFI/BOOT/grub.cfg); installer.iso
//                                               with the asking IP's install CONFIG in place of its /config.img
//   GET|HEAD /installer.iso /config.img /EFI/BOOT/<f> /eveboot/overrides.cfg   root names GRUB asks for
// Nothing listens here: buildBootApi returns the app, the caller listens.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BootPolicy, SiteNodeRef } from '../../core/boot/decide.js';
import { liveGrant, redeemGrant } from '../../core/boot/grant.js';
import { renderInstallerOverrides } from '../../core/boot/grub-netboot.js';
import { normalizeMac, softSerialOf } from '../../core/boot/identity.js';
import { renderIdentityScript } from '../../core/boot/ipxe-script.js';
import type { ImageManifest } from '../../core/boot/manifest.js';
import { etagOf } from '../../core/boot/range.js';
import { EvebootError } from '../../core/errors.js';
import { servedGrubCfg } from '../grub-files.js';
import { type Artifact, sendArtifact, unsafePath } from './boot-artifacts.js';
import { machineRoutes } from './boot-machine-routes.js';
import { IpMacTable, ProgressMeter, plainIp } from './boot-progress.js';
import { type ConfigImages, type ReportDeps, reportRoute } from './boot-report-route.js';
import { installErrorHandler } from './errors.js';

export interface BootSite {
  nodes: SiteNodeRef[];
  policy: BootPolicy;
  /** Installer options from the site (eve_install_disk=…, …), see installerArgs(). */
  installArgs: string[];
}

export interface BootApiDeps extends ReportDeps {
  /** `<ip>:<port>` where machines reach this API (IP literal: firmware may have no DNS). */
  httpServer: string;
  /** Shared with the DHCP server's lease events, so downloads are attributed before the first report. */
  ipMacs?: IpMacTable;
  logger: Logger;
}

export function buildBootApi(deps: BootApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ subsystem: 'http-boot' }, { level: 'warn' }),
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  const ipMacs = deps.ipMacs ?? new IpMacTable();
  const base = `http://${deps.httpServer}`;
  const log = deps.logger.child({ subsystem: 'boot' });
  const configs: ConfigImages = new Map();
  const meter = new ProgressMeter(deps.emit, deps.clock, (mac, path, ip) => {
    const m = deps.bootStore.machine(mac);
    // Counts only for the IP that got the install decision (an attacker's download proves nothing).
    const fromGrantee = liveGrant(m?.grant, deps.clock.now())?.ip === ip;
    if (
      m &&
      fromGrantee &&
      path.endsWith('/installer.iso') &&
      m.lastDecision === 'install' &&
      m.payloadServedAt === undefined
    ) {
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

  reportRoute(app, { ...deps, base, ipMacs, meter, log }, configs);

  type BootingQuery = { mac?: string; stage?: string; image?: string; nonce?: string };
  app.get<{ Querystring: BootingQuery }>('/boot/booting', (req, reply) => {
    const mac = macParam(req.query.mac);
    const m = deps.bootStore.machine(mac);
    // Local-boot beacons carry no nonce and change nothing; an install's beacon counts only with its nonce.
    const ok = redeemGrant(m?.grant, {
      nonce: req.query.nonce,
      ip: plainIp(req.ip),
      now: deps.clock.now(),
      use: 'callback',
    });
    if (m && ok.kind === 'ok') deps.bootStore.put({ ...m, bootingAt: deps.clock.now() });
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
  /** The live install grant of the machine at `ip`, if that decision went to this IP (core/boot/grant.ts). */
  const grantOf = (ip: string) => {
    const mac = ipMacs.mac(ip);
    const g = liveGrant(mac ? deps.bootStore.machine(mac)?.grant : undefined, deps.clock.now());
    return g?.ip === ip ? g : undefined;
  };
  /** The CONFIG the report route built for the asking IP's live install decision. It holds that install's
   *  onboarding key, so it goes to that IP only (the MAC our DHCP leased it to, with a live grant); looking it up
   *  spends nothing (GRUB reads the ISO in many ranges). `withNonce`: the request must also carry the decision's
   *  nonce, as the stand-in installer's eveboot.iso= URL does; GRUB's fixed ($cmddevice)/installer.iso and
   *  /config.img names cannot carry one, so for them the IP is the binding. */
  const installConfig = (req: FastifyRequest, what: string, withNonce = false): Uint8Array => {
    const ip = plainIp(req.ip);
    const raw = (req.query as { nonce?: unknown } | undefined)?.nonce;
    const nonce = typeof raw === 'string' ? raw : raw === undefined ? undefined : '';
    const g = grantOf(ip);
    const held = g ? configs.get(g.nonce) : undefined;
    const nonceOk = nonce === undefined ? !withNonce : nonce === g?.nonce;
    if (g && held && held.mac === g.mac && nonceOk) return held.bytes;
    // A live nonce presented from another IP is worth a flag, as on /config/<nonce>.img.
    const owner = nonce ? configs.get(nonce) : undefined;
    const now = deps.clock.now();
    const r = owner && redeemGrant(deps.bootStore.machine(owner.mac)?.grant, { nonce, ip, now, use: 'callback' });
    if (r && r.kind === 'refuse' && r.suspicious) {
      deps.emit({ type: 'trust.suspicious', data: { ip, mac: owner.mac, reason: r.reason } });
    }
    deps.emit({ type: 'boot.config-refused', data: { ip, mac: ipMacs.mac(ip) ?? null, what } });
    const why = !g
      ? `${ip} is not being installed`
      : nonce === undefined
        ? `this image's installer asks with its install decision's nonce (eveboot.iso=), and ${ip} sent none`
        : `the nonce is not the one of ${ip}'s install decision`;
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_ALLOWED',
      `${what} (it holds the onboarding key) goes only to the machine being installed: ${why}`,
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
    if (path === 'installer.iso') {
      const withNonce = img.boot.mode === 'kernel';
      return patchedIso(img, name, r.file, r.absPath, () => installConfig(req, name, withNonce));
    }
    return { name, size: r.file.size, etag: etagOf(r.file.sha256), source: { file: r.absPath } };
  };
  /** installer.iso with the CONFIG bytes for this machine in place of EVE's /config.img (eve-conformance §2). */
  const patchedIso = (
    img: ImageManifest,
    name: string,
    file: { size: number; sha256: string },
    absPath: string,
    configOf: () => Uint8Array,
  ): Artifact => {
    const at = img.embeddedConfig;
    if (!at) {
      throw new EvebootError(
        'EVEBOOT_ERR_IMAGE_NO_CONFIG',
        `image ${img.id} was imported without locating config.img in installer.iso: re-import it with --force`,
      );
    }
    const bytes = configOf();
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
  // There is no site-wide CONFIG: /config.img (and the one inside installer.iso) is the CONFIG of the asking IP's
  // live install decision; /config/<nonce>.img is the same bytes by the decision's nonce, for a short window.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/config.img',
    // GRUB sources the grub.cfg inside ($install_part)/config.img (grub_installer.cfg); the installer copies the
    // config.img inside installer.iso. Both carry this install decision's CONFIG, and only to its IP.
    handler: (req, reply) => {
      const bytes = installConfig(req, 'config.img');
      return serve(req, reply, generated('config.img', bytes), '/config.img');
    },
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/config/:file',
    handler: (req: FastifyRequest<{ Params: { file: string } }>, reply) => {
      const ip = plainIp(req.ip);
      const nonce = req.params.file.replace(/\.img$/, '');
      const held = configs.get(nonce);
      const m = held ? deps.bootStore.machine(held.mac) : undefined;
      const r = redeemGrant(m?.grant, { nonce, ip, now: deps.clock.now(), use: 'config' });
      if (r.kind === 'refuse' || !held || !m) {
        const reason = r.kind === 'refuse' ? r.reason : 'no such install decision';
        deps.emit({ type: 'boot.config-refused', data: { ip, mac: held?.mac ?? null, reason } });
        if (r.kind === 'refuse' && r.suspicious) {
          deps.emit({ type: 'trust.suspicious', data: { ip, mac: held?.mac ?? null, reason } });
        }
        throw new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', `config refused: ${reason}`);
      }
      if (r.grant !== m.grant) deps.bootStore.put({ ...m, grant: r.grant });
      return serve(req, reply, generated('config.img', held.bytes), '/config.img');
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
