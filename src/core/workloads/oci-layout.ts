// OCI image layout (image-spec layout.md: oci-layout, index.json, blobs/<alg>/<hex>), as `skopeo copy …
// oci-archive:x.tar` writes it, read from bytes: the root image of index.json and every blob it reaches, with
// each manifest's own digest and size checked. Layer contents are hashed by the caller while it copies them.
import { createHash } from 'node:crypto';
import { EvebootError } from '../errors.js';

/** image-spec descriptor.md: what a manifest or index says about a blob. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** Manifest and index media types (image-spec media-types.md; Docker's schema 2, which registries also serve). */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export const isManifest = (t: string) => t === MEDIA.ociManifest || t === MEDIA.dockerManifest;
export const isIndex = (t: string) => t === MEDIA.ociIndex || t === MEDIA.dockerList;

/** Registries refuse manifests over 4 MiB (distribution's default); nothing legitimate comes close. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 4;

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

const refuse = (where: string, what: string) => new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${where}: ${what}`);

/** Layout path of a blob: blobs/sha256/<hex>. */
export const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

export const sha256Digest = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function json(bytes: Uint8Array, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw refuse(where, `not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw refuse(where, 'not a JSON object');
  return v as Record<string, unknown>;
}

export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== 'object' || v === null) throw refuse(where, 'not a descriptor object');
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw refuse(where, 'mediaType missing');
  if (typeof d.digest !== 'string') throw refuse(where, 'digest missing');
  if (!d.digest.startsWith('sha256:')) throw refuse(where, `digest ${d.digest}: only sha256 digests are supported`);
  if (!DIGEST.test(d.digest)) throw refuse(where, `digest ${d.digest} is not sha256:<64 lower-case hex>`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw refuse(where, 'size must be a non-negative integer');
  }
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/** oci-layout must name layout version 1.0.0 (image-spec layout.md). */
export function checkLayoutFile(bytes: Uint8Array | undefined): void {
  if (!bytes)
    throw refuse('oci-layout', 'missing: not an OCI image layout (export with skopeo copy … oci-archive:FILE)');
  const v = json(bytes, 'oci-layout').imageLayoutVersion;
  if (v !== '1.0.0') throw refuse('oci-layout', `imageLayoutVersion ${JSON.stringify(v)}, want "1.0.0"`);
}

export interface LayoutRoot {
  root: Descriptor;
  /** org.opencontainers.image.ref.name of the entry (a tag like "1.0", or a whole reference), when given. */
  refName?: string;
}

const REF_NAME = 'org.opencontainers.image.ref.name';

/** The one image index.json names. An archive with several images is refused: the operator imports one each. */
export function rootOfIndex(bytes: Uint8Array | undefined): LayoutRoot {
  if (!bytes) throw refuse('index.json', 'missing: not an OCI image layout');
  const idx = json(bytes, 'index.json');
  if (idx.schemaVersion !== 2) throw refuse('index.json', `schemaVersion ${JSON.stringify(idx.schemaVersion)}, want 2`);
  const list = idx.manifests;
  if (!Array.isArray(list) || list.length === 0) throw refuse('index.json', 'manifests: no image in this archive');
  if (list.length > 1) {
    const names = list.map(
      (m, i) => (m as { annotations?: Record<string, string> })?.annotations?.[REF_NAME] ?? `#${i}`,
    );
    throw refuse('index.json', `manifests: ${list.length} images (${names.join(', ')}); export one image per archive`);
  }
  const root = parseDescriptor(list[0], 'index.json manifests[0]');
  if (!isManifest(root.mediaType) && !isIndex(root.mediaType)) {
    throw refuse('index.json manifests[0]', `mediaType ${root.mediaType} is neither an image manifest nor an index`);
  }
  const ann = (list[0] as { annotations?: unknown }).annotations;
  const refName = typeof ann === 'object' && ann !== null ? (ann as Record<string, unknown>)[REF_NAME] : undefined;
  return typeof refName === 'string' && refName !== '' ? { root, refName } : { root };
}

/** The blobs a manifest or index names (config + layers, or child manifests), its own fields checked. */
export function childrenOf(d: Descriptor, bytes: Uint8Array, where: string): { d: Descriptor; where: string }[] {
  const m = json(bytes, where);
  if (m.schemaVersion !== 2) throw refuse(where, `schemaVersion ${JSON.stringify(m.schemaVersion)}, want 2`);
  // The OCI manifest's mediaType field is optional but must agree with the descriptor when present (image-spec
  // manifest.md); Docker schema 2 always carries it.
  if (m.mediaType !== undefined && m.mediaType !== d.mediaType) {
    throw refuse(where, `mediaType ${JSON.stringify(m.mediaType)} but its descriptor says ${d.mediaType}`);
  }
  if (isIndex(d.mediaType)) {
    if (!Array.isArray(m.manifests)) throw refuse(where, 'manifests must be a list');
    return m.manifests.map((x, i) => named(x, `${where} manifests[${i}]`));
  }
  if (!Array.isArray(m.layers)) throw refuse(where, 'layers must be a list');
  return [named(m.config, `${where} config`), ...m.layers.map((x, i) => named(x, `${where} layers[${i}]`))];
}

const named = (v: unknown, where: string) => ({ d: parseDescriptor(v, where), where });

/** How the walk reads the layout: the size of a member (undefined: absent) and the bytes of a small one. */
export interface LayoutReader {
  size(path: string): number | undefined;
  read(path: string): Uint8Array;
}

/**
 * Every blob the root reaches, root first, each once. Presence and sizes are checked for all; manifests and
 * indexes are read, hashed against their digest and parsed. Layers and configs are left to the copy to hash.
 */
export function walkImage(root: Descriptor, layout: LayoutReader): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  const visit = (d: Descriptor, where: string, depth: number) => {
    if (seen.has(d.digest)) return;
    const path = blobPath(d.digest);
    const size = layout.size(path);
    if (size === undefined) throw refuse(path, `missing (named by ${where})`);
    if (size !== d.size) throw refuse(path, `${size} bytes, but ${where} says ${d.size}`);
    seen.set(d.digest, d);
    if (!isManifest(d.mediaType) && !isIndex(d.mediaType)) return;
    if (depth > MAX_DEPTH) throw refuse(path, `indexes nested deeper than ${MAX_DEPTH}`);
    if (size > MAX_MANIFEST_BYTES) throw refuse(path, `a ${size}-byte manifest (registries allow 4 MiB)`);
    const bytes = layout.read(path);
    const got = sha256Digest(bytes);
    if (got !== d.digest) throw digestMismatch(path, got);
    for (const c of childrenOf(d, bytes, path)) visit(c.d, c.where, depth + 1);
  };
  visit(root, 'index.json manifests[0]', 0);
  return [...seen.values()];
}

export function digestMismatch(path: string, got: string): EvebootError {
  return refuse(path, `content hashes to ${got}, not the digest it is stored under (corrupt archive)`);
}
