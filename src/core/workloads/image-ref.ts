// Names and tags of imported images, and whether an import adds, repeats or contradicts what is stored.
// A name is one path component of a Distribution repository name (distribution reference grammar), so it can
// appear as `<REGISTRY_NAMESPACE>/<name>` in the registry and in a site file's `image:`.
import { EvebootError } from '../errors.js';
import type { ImageRecord } from './model.js';

const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_NAME = 64;

export const validName = (s: string) => s.length <= MAX_NAME && NAME.test(s);
export const validTag = (s: string) => TAG.test(s);

/** A file name as an image name: extensions dropped, lower-cased, other characters turned into '-'. */
export function nameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/(\.(oci|tar|qcow2|qcow|img|raw|disk))+$/i, '');
  return base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, MAX_NAME)
    .replace(/[._-]+$/, '');
}

/**
 * An OCI layout's org.opencontainers.image.ref.name: a bare tag ("1.0", what `skopeo copy … oci-archive:x.tar:1.0`
 * writes) or a whole reference ("docker.io/library/nginx:1.25").
 */
export function splitRefName(ref: string): { repo?: string; tag?: string } {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (slash < 0 && colon < 0) return validTag(noDigest) ? { tag: noDigest } : {};
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const tag = colon > slash ? noDigest.slice(colon + 1) : undefined;
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return { repo: last || undefined, ...(tag ? { tag } : {}) };
}

export interface NameChoice {
  name: string;
  tag?: string;
}

/** --name / --tag win, then the archive's ref name, then the file name; tag 'latest' for OCI by default. */
export function chooseName(o: {
  name?: string;
  tag?: string;
  refName?: string;
  fileName: string;
  oci: boolean;
}): NameChoice {
  const ref = o.refName ? splitRefName(o.refName) : {};
  const derived = nameFromFile(ref.repo ?? '');
  const chosen = o.name ?? (derived !== '' ? derived : nameFromFile(o.fileName));
  const bad = (what: string) => new EvebootError('EVEBOOT_ERR_BAD_REQUEST', what);
  if (chosen === '') throw bad(`cannot make an image name from ${o.fileName}: pass --name`);
  if (!validName(chosen)) {
    throw bad(
      `--name ${JSON.stringify(chosen)}: use lower-case letters and digits, separated by single . _ or - (at most ${MAX_NAME})`,
    );
  }
  if (!o.oci) {
    if (o.tag !== undefined) throw bad('--tag: only OCI images have a tag; a disk is served by its sha256');
    return { name: chosen };
  }
  const tag = o.tag ?? ref.tag ?? 'latest';
  if (!validTag(tag))
    throw bad(`--tag ${JSON.stringify(tag)}: letters, digits, _ . - (at most 128, not starting with . or -)`);
  return { name: chosen, tag };
}

export type Admission =
  | { kind: 'new' }
  | { kind: 'same'; existing: ImageRecord }
  | { kind: 'conflict'; reason: string };

/**
 * An import under a name that already holds the same content is a no-op (re-import is idempotent). Other
 * content under a taken name is refused: apps and their content trees are keyed by the name, and EVE would
 * see the same content tree change its sha256 under it.
 */
export function admitImage(
  existing: ImageRecord[],
  next: Pick<ImageRecord, 'name' | 'sha256' | 'format' | 'tag'>,
): Admission {
  const held = existing.find((r) => r.name === next.name);
  if (!held) return { kind: 'new' };
  if (held.sha256 === next.sha256 && held.format === next.format && held.tag === next.tag) {
    return { kind: 'same', existing: held };
  }
  return {
    kind: 'conflict',
    reason: `name ${next.name} already holds ${held.format} sha256:${held.sha256}${held.tag ? ` (tag ${held.tag})` : ''}: import this one under another --name (e.g. ${next.name}-2) and point the apps at it`,
  };
}

/** By name, or by `sha256:<hex>` (the first image with that content). */
export function findImage(images: ImageRecord[], ref: string): ImageRecord | undefined {
  if (ref.startsWith('sha256:')) {
    const hex = ref.slice(7).toLowerCase();
    return images.find((r) => r.sha256 === hex);
  }
  return images.find((r) => r.name === ref);
}
