// `eveboot images import`: an EVE netboot bundle (installer-net.tar, plain tar), an installer.iso, or an unpacked
// directory → <root>/<id>/ with a manifest. Large members are streamed (never buffered) and hashed on the way;
// the whole input is checked against a sha256sums file first when one is given.
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ImageFile, type ImageManifest, imageId, manifestSchema } from '../core/boot/manifest.js';
import {
  archFromFiles,
  infoFromAssetName,
  infoFromVersionText,
  mergeInfo,
  parseSha256Sums,
  type ReleaseInfo,
  requireEmbeddedConfig,
} from '../core/boot/release.js';
import { EvebootError } from '../core/errors.js';
import { findEmbeddedConfig } from '../core/iso/embedded-config.js';
import { listDir, sniffInput, walkTar } from './image-source.js';

export interface ImportOptions {
  sha256sums?: string;
  version?: string;
  arch?: string;
  /** Kernel-mode images: kernel command line (default: the bundle's `cmdline` file, else empty). */
  cmdline?: string;
  /** Replace an existing image with the same id. */
  force?: boolean;
  now: Date;
}

export type Copy = { src: string; start?: number; end?: number; dest: string };

export async function importImage(root: string, input: string, opts: ImportOptions): Promise<ImageManifest> {
  const kind = sniffInput(input);
  const verified = opts.sha256sums ? await verifySums(input, kind, opts.sha256sums) : false;
  const copies: Copy[] =
    kind === 'installer-net'
      ? walkTar(input).map((m) => ({ src: input, start: m.offset, end: m.offset + m.size - 1, dest: m.path }))
      : kind === 'installer-iso'
        ? [{ src: input, dest: 'installer.iso' }]
        : listDir(input).map((p) => ({ src: join(input, ...p.split('/')), dest: p }));
  mkdirSync(root, { recursive: true });
  const staging = join(root, `.import-${process.pid}-${Date.now()}`);
  try {
    const files: ImageFile[] = [];
    for (const c of copies) files.push(await copyHashed(c, staging));
    const paths = files.map((f) => f.path);
    const versionFile = paths.includes('eve_version') ? readFileSync(join(staging, 'eve_version'), 'utf8') : '';
    const info = mergeInfo(
      { version: opts.version, arch: opts.arch as ReleaseInfo['arch'] },
      infoFromVersionText(versionFile),
      infoFromAssetName(basename(input)),
      { arch: archFromFiles(paths) },
    );
    if (opts.arch && !['amd64', 'arm64', 'riscv64'].includes(opts.arch)) {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `--arch ${opts.arch}: use amd64, arm64 or riscv64`);
    }
    if (!info.version) {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `cannot tell the EVE version of ${input}: pass --version`);
    }
    if (!info.arch) {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `cannot tell the architecture of ${input}: pass --arch`);
    }
    const id = imageId(info.version, info.arch);
    const embeddedConfig = paths.includes(ISO)
      ? { path: ISO, ...embeddedConfigOf(join(staging, ISO), input) }
      : undefined;
    const manifest = manifestSchema.parse({
      schemaVersion: 1,
      id,
      version: info.version,
      arch: info.arch,
      hv: info.hv,
      platform: info.platform,
      source: { kind, name: basename(input), verified },
      importedAt: opts.now.toISOString(),
      boot: bootOf(paths, staging, opts.cmdline),
      files: files.sort((a, b) => a.path.localeCompare(b.path)),
      embeddedConfig,
    });
    const target = join(root, id);
    if (statSafe(target)) {
      if (!opts.force) {
        throw new EvebootError('EVEBOOT_ERR_CONFLICT', `image ${id} is already imported: pass --force to replace it`);
      }
      rmSync(target, { recursive: true, force: true });
    }
    writeManifest(staging, manifest);
    renameSync(staging, target);
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const ISO = 'installer.iso';

/** Finds /config.img inside the imported installer.iso, reading only the descriptors and the root directory. */
function embeddedConfigOf(isoPath: string, input: string) {
  const fd = openSync(isoPath, 'r');
  try {
    const size = statSync(isoPath).size;
    const read = (offset: number, length: number) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, offset) : 0;
      return buf.subarray(0, n);
    };
    return requireEmbeddedConfig(findEmbeddedConfig(read, size), `installer.iso of ${basename(input)}`);
  } finally {
    closeSync(fd);
  }
}

function bootOf(paths: string[], dir: string, cmdline: string | undefined): ImageManifest['boot'] {
  const kernel = ['vmlinuz', 'kernel', 'boot/kernel', 'bzImage'].find((p) => paths.includes(p));
  const initrd = paths.filter((p) => /^(boot\/)?initrd[^/]*$/.test(p)).sort();
  // EVE's installer-net.tar also carries kernel + initrd.img; GRUB (EFI/BOOT/BOOT*.EFI) marks the real chain. A
  // test stand-in is a kernel + initrd without GRUB, with or without an installer.iso to read CONFIG from.
  const stand = kernel && initrd.length > 0 && archFromFiles(paths) === undefined;
  if (paths.includes(ISO) && !stand) return { mode: 'grub' };
  if (!kernel || initrd.length === 0) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      'no installer.iso (EVE netboot) and no kernel + initrd (test stand-in) in the input',
    );
  }
  const fromFile = paths.includes('cmdline') ? readFileSync(join(dir, 'cmdline'), 'utf8').trim() : '';
  return { mode: 'kernel', kernel, initrd, cmdline: cmdline ?? fromFile };
}

export async function copyHashed(c: Copy, staging: string): Promise<ImageFile> {
  const dest = join(staging, ...c.dest.split('/'));
  mkdirSync(dirname(dest), { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  if (c.end !== undefined && c.end < (c.start ?? 0)) {
    writeFileSync(dest, ''); // empty member: a stream cannot express the empty range
  } else {
    const src = createReadStream(c.src, { start: c.start, end: c.end, highWaterMark: 1 << 20 });
    await pipeline(src, tap, createWriteStream(dest));
  }
  return { path: c.dest, size, sha256: hash.digest('hex') };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function verifySums(input: string, kind: string, sumsPath: string): Promise<boolean> {
  const sums = parseSha256Sums(readFileSync(sumsPath, 'utf8'));
  const check = async (path: string, name: string) => {
    const want = sums.get(name);
    if (!want) return false;
    const got = await sha256File(path);
    if (got !== want) {
      throw new EvebootError(
        'EVEBOOT_ERR_BAD_REQUEST',
        `sha256 mismatch for ${name}: ${sumsPath} says ${want}, got ${got}`,
      );
    }
    return true;
  };
  if (kind !== 'directory') {
    if (await check(input, basename(input))) return true;
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${sumsPath} has no line for ${basename(input)}`);
  }
  let n = 0;
  for (const p of listDir(input)) if (await check(join(input, ...p.split('/')), p)) n++;
  if (n === 0) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${sumsPath} names none of the files in ${input}`);
  return true;
}

function writeManifest(dir: string, m: ImageManifest): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
}

function statSafe(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
