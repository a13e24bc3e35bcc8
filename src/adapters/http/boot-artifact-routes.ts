// Imported files under versioned names, and the root names GRUB and EVE's grub_installer.cfg hard-code:
//   GET|HEAD /artifacts/<image>/<path>     imported files (+ generated EFI/BOOT/grub.cfg); installer.iso with the
//                                          asking IP's install CONFIG in place of its /config.img
//   GET|HEAD /installer.iso /EFI/BOOT/<f> /eveboot/overrides.cfg   root names GRUB asks for
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderInstallerOverrides } from '../../core/boot/grub-netboot.js';
import { softSerialOf } from '../../core/boot/identity.js';
import type { ImageManifest } from '../../core/boot/manifest.js';
import { etagOf } from '../../core/boot/range.js';
import { EvebootError } from '../../core/errors.js';
import { servedGrubCfg } from '../grub-files.js';
import { type Artifact, generatedArtifact, serveArtifact, sha256hex, unsafePath } from './boot-artifacts.js';
import { installConfigAt } from './boot-config-routes.js';
import { type BootContext, GET } from './boot-context.js';
import { plainIp } from './boot-progress.js';

type ArtifactReq = FastifyRequest<{ Params: { id: string; '*': string } }>;
type FileReq = FastifyRequest<{ Params: { file: string } }>;

export function artifactRoutes(app: FastifyInstance, ctx: BootContext): void {
  app.route({ method: GET, url: '/artifacts/:id/*', handler: (req: ArtifactReq, reply) => byId(ctx, req, reply) });
  app.route({ method: GET, url: '/installer.iso', handler: (req, reply) => atRoot(ctx, req, reply, 'installer.iso') });
  app.route({ method: GET, url: '/EFI/BOOT/:file', handler: (req: FileReq, reply) => efiBoot(ctx, req, reply) });
  app.route({ method: GET, url: '/eveboot/overrides.cfg', handler: (req, reply) => overrides(ctx, req, reply) });
}

function byId(ctx: BootContext, req: ArtifactReq, reply: FastifyReply) {
  const { id, '*': path } = req.params;
  if (unsafePath(path) || unsafePath(id)) {
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `refused path ${id}/${path}: no . or .. segments`);
  }
  return serveArtifact(req, reply, lookup(ctx, req, id, path), `/artifacts/${id}/${path}`, ctx);
}

/** Root names follow the image of the client's last install decision, else the newest import. */
function atRoot(ctx: BootContext, req: FastifyRequest, reply: FastifyReply, path: string) {
  const mac = ctx.ipMacs.mac(plainIp(req.ip));
  const id = (mac && ctx.bootStore.machine(mac)?.lastImage) || ctx.images.list()[0]?.id;
  return serveArtifact(req, reply, id ? lookup(ctx, req, id, path) : undefined, `/${path}`, ctx);
}

function efiBoot(ctx: BootContext, req: FileReq, reply: FastifyReply) {
  return atRoot(ctx, req, reply, `EFI/BOOT/${req.params.file}`);
}

function overrides(ctx: BootContext, req: FastifyRequest, reply: FastifyReply) {
  const mac = ctx.ipMacs.mac(plainIp(req.ip));
  const body = renderInstallerOverrides({ softSerial: mac ? softSerialOf(mac) : undefined });
  return serveArtifact(req, reply, generatedArtifact('eveboot/overrides.cfg', body), '/eveboot/overrides.cfg', ctx);
}

function lookup(ctx: BootContext, req: FastifyRequest, imageId: string, path: string): Artifact | undefined {
  const img = ctx.images.get(imageId);
  if (!img) return undefined;
  if (img.boot.mode === 'grub' && path === 'EFI/BOOT/grub.cfg') {
    // The same bytes TFTP answers from the next-server, where GRUB under iPXE really reads it (grub-files.ts).
    return generatedArtifact(`${img.id}/${path}`, servedGrubCfg(ctx.httpServer, img.id));
  }
  const r = ctx.images.resolve(imageId, path);
  if (!r) return undefined;
  const name = `${img.id}/${path}`;
  if (path === 'installer.iso') {
    // The stand-in installer's eveboot.iso= URL carries the decision's nonce; GRUB's fixed names cannot.
    const withNonce = img.boot.mode === 'kernel';
    return patchedIso(img, name, r.file, r.absPath, () => installConfigAt(ctx, req, name, withNonce));
  }
  return { name, size: r.file.size, etag: etagOf(r.file.sha256), source: { file: r.absPath } };
}

/** installer.iso with the CONFIG bytes for this machine in place of EVE's /config.img (eve-conformance §2). */
function patchedIso(
  img: ImageManifest,
  name: string,
  file: { size: number; sha256: string },
  absPath: string,
  configOf: () => Uint8Array,
): Artifact {
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
