// The HTTP boot API that iPXE, GRUB and the installer talk to (plain HTTP: Debian's iPXE has no HTTPS).
//   GET /boot/<mac>.ipxe | /boot/script?mac=   identity script (reports, then chains to /boot/report)
//   GET /boot/report?mac=…&uuid=…&net0=…        records identity, decides, answers the decision script
//   GET /boot/booting?mac=&stage=               "about to boot" beacon from the script (pixiecore trick)
//   GET|POST /boot/installed?mac=               installer (or test stand-in) says the install is done
//   GET|HEAD /artifacts/<image>/<path>          imported files (+ generated EFI/BOOT/grub.cfg)
//   GET|HEAD /installer.iso /config.img /EFI/BOOT/<f> /eveboot/overrides.cfg   root names GRUB asks for
// Nothing listens here: buildBootApi returns the app, the caller listens.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BootPolicy } from '../../core/boot/decide.js';
import { liveGrant, redeemGrant } from '../../core/boot/grant.js';
import { renderInstallerOverrides } from '../../core/boot/grub-netboot.js';
import { normalizeMac } from '../../core/boot/identity.js';
import { renderIdentityScript } from '../../core/boot/ipxe-script.js';
import { etagOf } from '../../core/boot/range.js';
import { EvebootError } from '../../core/errors.js';
import { servedGrubCfg } from '../grub-files.js';
import { type Artifact, sendArtifact, unsafePath } from './boot-artifacts.js';
import { machineRoutes } from './boot-machine-routes.js';
import { IpMacTable, ProgressMeter, plainIp } from './boot-progress.js';
import { type ConfigImages, type ReportDeps, reportRoute } from './boot-report-route.js';
import { installErrorHandler } from './errors.js';

export interface BootSite {
  nodes: { serial?: string; mac?: string; name?: string }[];
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
  const lookup = (imageId: string, path: string): Artifact | undefined => {
    const img = deps.images.get(imageId);
    if (!img) return undefined;
    if (img.boot.mode === 'grub' && path === 'EFI/BOOT/grub.cfg') {
      // The same bytes TFTP answers from the next-server, where GRUB under iPXE really reads it (grub-files.ts).
      return generated(`${img.id}/${path}`, servedGrubCfg(http, img.id));
    }
    const r = deps.images.resolve(imageId, path);
    if (!r) return undefined;
    return { name: `${img.id}/${path}`, size: r.file.size, etag: etagOf(r.file.sha256), source: { file: r.absPath } };
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
  const grantOf = (ip: string) => {
    const mac = ipMacs.mac(ip);
    const g = liveGrant(mac ? deps.bootStore.machine(mac)?.grant : undefined, deps.clock.now());
    return g?.ip === ip ? g : undefined;
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
    return serve(req, reply, lookup(req.params.id, path), `/artifacts/${req.params.id}/${path}`);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/artifacts/:id/*', handler: artifactRoute });

  const rootRoute = (path: string) => (req: FastifyRequest, reply: FastifyReply) => {
    const id = rootImage(req);
    return serve(req, reply, id ? lookup(id, path) : undefined, `/${path}`);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/installer.iso', handler: rootRoute('installer.iso') });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/EFI/BOOT/:file',
    handler: (req: FastifyRequest<{ Params: { file: string } }>, reply) =>
      rootRoute(`EFI/BOOT/${req.params.file}`)(req, reply),
  });
  // The CONFIG of one install decision, once, to the IP that got it. The bare /config.img name (what a stock
  // grub.cfg would ask for) serves nothing: there is no site-wide CONFIG any more.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/config.img',
    handler: (req) => {
      deps.emit({ type: 'boot.config-refused', data: { ip: plainIp(req.ip), reason: 'no nonce' } });
      throw new EvebootError(
        'EVEBOOT_ERR_NOT_ALLOWED',
        "config.img goes only to a machine being installed, under its boot script's one-time URL",
      );
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
      // Per client: the overrides point GRUB at this machine's one-time CONFIG URL.
      const grant = grantOf(plainIp(req.ip));
      const body = renderInstallerOverrides({
        httpServer: http,
        configPath: grant ? `/config/${grant.nonce}.img` : '/config.img',
      });
      return serve(req, reply, generated('eveboot/overrides.cfg', body), '/eveboot/overrides.cfg');
    },
  });
  return app;
}

function sha256hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
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
