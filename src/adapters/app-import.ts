// `eveboot apps import FILE`: an OCI image archive (a tar of an OCI image layout) or a qcow2/raw VM disk into the
// content-addressed store (app-store.ts). Everything is checked into a staging directory first; blobs move into
// place and the index gains its record only when the whole input is good, so a refused import changes nothing.
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EvebootError } from '../core/errors.js';
import { parseQcow2Header, SNIFF_BYTES, sniffKind } from '../core/workloads/disk-image.js';
import { admitImage, chooseName } from '../core/workloads/image-ref.js';
import { blobPath, checkLayoutFile, digestMismatch, rootOfIndex, walkImage } from '../core/workloads/oci-layout.js';
import type { AppStore, StoredImage } from './app-store.js';
import { copyHashed } from './image-import.js';
import { type TarMember, walkTar } from './image-source.js';

export interface AppImportOptions {
  name?: string;
  tag?: string;
  /** Disk: SHA-256 of the file; OCI: the image digest (of its root manifest or index). Hex, or sha256:<hex>. */
  sha256?: string;
  now: number;
}

export interface AppImportResult {
  image: StoredImage;
  /** The same name already held this content: nothing changed. */
  already: boolean;
}

/** A file of the input checked into staging, to be moved to blobs/sha256/<hex>. */
interface Staged {
  hex: string;
  path: string;
}

type Candidate = Omit<StoredImage, 'name' | 'tag' | 'importedAt'> & { refName?: string };

export async function importApp(store: AppStore, file: string, o: AppImportOptions): Promise<AppImportResult> {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `${file}: no such file`);
  if (!st.isFile()) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      `${file}: not a file; pack an OCI layout directory with skopeo copy oci:DIR oci-archive:FILE.tar`,
    );
  }
  const want = o.sha256 === undefined ? undefined : wantedSha(o.sha256);
  const kind = sniffKind(readAt(file, 0, SNIFF_BYTES), st.size, file);
  mkdirSync(join(store.root, 'blobs', 'sha256'), { recursive: true });
  const staging = mkdtempSync(join(store.root, '.import-'));
  try {
    const staged: Staged[] = [];
    const c = kind === 'tar' ? await stageOci(store, file, staging, staged) : await stageDisk(file, staging, staged);
    if (want !== undefined && want !== c.sha256) {
      const what = c.format === 'oci' ? 'the image digest' : 'the file';
      throw new EvebootError(
        'EVEBOOT_ERR_BAD_REQUEST',
        `${file}: --sha256 ${want} does not match ${what}, sha256:${c.sha256}; the file is not the one you meant`,
      );
    }
    const { refName, ...fields } = c;
    const naming = chooseName({ name: o.name, tag: o.tag, refName, fileName: basename(file), oci: c.format === 'oci' });
    const admission = admitImage(store.images(), { ...naming, sha256: c.sha256, format: c.format });
    if (admission.kind === 'conflict') throw new EvebootError('EVEBOOT_ERR_CONFLICT', admission.reason);
    // Content-addressed: a blob already in place is identical; moving a staged copy over it repairs a lost one.
    for (const s of staged) renameSync(s.path, store.blobFile(s.hex));
    if (admission.kind === 'same') return { image: admission.existing, already: true };
    const image: StoredImage = { ...fields, ...naming, importedAt: o.now };
    store.add(image);
    return { image, already: false };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function wantedSha(given: string): string {
  const hex = given.toLowerCase().replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `--sha256 ${given}: want 64 hex digits (optionally sha256:…)`);
  }
  return hex;
}

async function stageDisk(file: string, staging: string, staged: Staged[]): Promise<Candidate> {
  const head = readAt(file, 0, SNIFF_BYTES);
  const qcow2 = sniffKind(head, 1, file) === 'qcow2' ? parseQcow2Header(head, file) : undefined;
  const f = await copyHashed({ src: file, dest: 'disk' }, staging);
  staged.push({ hex: f.sha256, path: join(staging, 'disk') });
  return {
    sha256: f.sha256,
    format: qcow2 ? 'qcow2' : 'raw',
    sizeBytes: f.size,
    virtualSizeBytes: qcow2?.virtualSizeBytes ?? f.size,
  };
}

async function stageOci(store: AppStore, file: string, staging: string, staged: Staged[]): Promise<Candidate> {
  const members = new Map<string, TarMember>(walkTar(file).map((m) => [m.path, m]));
  // Core messages name the member (`blobs/sha256/…: missing`); the operator also needs the archive.
  const inFile = (e: EvebootError) => new EvebootError(e.code, `${file}: ${e.message}`);
  const inArchive = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw e instanceof EvebootError ? inFile(e) : e;
    }
  };
  if (!members.has('index.json') && members.has('manifest.json')) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      `${file}: a docker-archive (manifest.json, no index.json); convert it: skopeo copy docker-archive:${basename(file)} oci-archive:image.tar`,
    );
  }
  const read = (path: string) => {
    const m = members.get(path)!;
    return readAt(file, m.offset, m.size);
  };
  const layout = { size: (p: string) => members.get(p)?.size, read };
  const { root, refName, blobs } = inArchive(() => {
    checkLayoutFile(members.has('oci-layout') ? read('oci-layout') : undefined);
    const r = rootOfIndex(members.has('index.json') ? read('index.json') : undefined);
    return { ...r, blobs: walkImage(r.root, layout) };
  });
  for (const d of blobs) {
    const hex = d.digest.slice(7);
    if (store.hasBlob(hex, d.size)) continue;
    const m = members.get(blobPath(d.digest))!;
    const got = await copyHashed({ src: file, start: m.offset, end: m.offset + m.size - 1, dest: hex }, staging);
    if (got.sha256 !== hex) throw inFile(digestMismatch(blobPath(d.digest), `sha256:${got.sha256}`));
    staged.push({ hex, path: join(staging, hex) });
  }
  return {
    sha256: root.digest.slice(7),
    format: 'oci',
    sizeBytes: blobs.reduce((n, d) => n + d.size, 0),
    mediaType: root.mediaType,
    blobs,
    ...(refName ? { refName } : {}),
  };
}

function readAt(file: string, offset: number, length: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } finally {
    closeSync(fd);
  }
}
