// A simulated node's downloader: it really fetches a content tree's bytes from the datastore the config names,
// with EVE's URL rules (eve-workloads-facts §3.1: for HTTP only scheme://host[:port] of fqdn, then dpath, then
// ContentTree.URL; no redirects), size and hash checks (§3.3), and for a registry datastore (§3.4:
// docker://host:port, plain HTTP for RFC1918/loopback) the manifest and every blob it names.
import { createHash } from 'node:crypto';
import type { DatastoreConfig } from '../gen/config/storage_pb.js';
import { DsType } from '../gen/config/storage_pb.js';

export interface FetchProgress {
  /** Bytes received so far and the expected total (maxSizeBytes, or the manifest's sizes). */
  current: number;
  total: number;
  /** Blob shas as volumemgr lists them (root first). */
  blobs: string[];
}

export type FetchResult = { ok: true; blobs: string[]; bytes: number } | { ok: false; error: string };

/** The HTTP request URL EVE builds for a DsHttp/DsHttps content tree. */
export function httpContentUrl(ds: DatastoreConfig, url: string): string {
  const origin = new URL(ds.fqdn).origin;
  const dpath = ds.dpath.replace(/^\/+|\/+$/g, '');
  return `${origin}${dpath ? `/${dpath}` : ''}/${url.replace(/^\/+/, '')}`;
}

async function readAll(res: Response, onBytes: (n: number) => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    onBytes(value.length);
  }
  return Buffer.concat(chunks);
}

const get = (url: string, accept?: string) =>
  fetch(url, { redirect: 'manual', ...(accept ? { headers: { Accept: accept } } : {}) });

/** Downloads one content tree; `progress` is called as bytes arrive. */
export async function fetchContent(
  ds: DatastoreConfig,
  ct: { URL: string; sha256: string; maxSizeBytes: bigint },
  progress: (p: FetchProgress) => void,
): Promise<FetchResult> {
  try {
    if (ds.dType === DsType.DsContainerRegistry) return await fetchImage(ds, ct.URL, ct.sha256.toLowerCase(), progress);
    if (ds.dType !== DsType.DsHttp && ds.dType !== DsType.DsHttps) {
      return { ok: false, error: `unsupported transport method ${DsType[ds.dType]}` };
    }
    const total = Number(ct.maxSizeBytes);
    const sha = ct.sha256.toLowerCase();
    const res = await get(httpContentUrl(ds, ct.URL));
    if (res.status !== 200) return { ok: false, error: `HTTP ${res.status} from ${httpContentUrl(ds, ct.URL)}` };
    let current = 0;
    const body = await readAll(res, (n) => {
      current += n;
      progress({ current, total, blobs: [sha] });
    });
    if (body.length > total) return { ok: false, error: `Size ${total} provided in image config is incorrect` };
    if (body.length < total) return { ok: false, error: 'premature EOF' };
    const got = createHash('sha256').update(body).digest('hex');
    if (got !== sha) return { ok: false, error: `computed sha256 ${got} does not match ${sha}` };
    return { ok: true, blobs: [sha], bytes: body.length };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * `<repo>:<tag>` from our registry: the manifest — by digest when the content tree pins it with sha256 (no tag
 * resolution then, §3.4), else by tag — then its config and layers by digest, each hash-checked.
 */
async function fetchImage(
  ds: DatastoreConfig,
  ref: string,
  sha256: string,
  progress: (p: FetchProgress) => void,
): Promise<FetchResult> {
  const host = ds.fqdn.replace(/^(docker|oci):\/\//, '');
  const cut = ref.lastIndexOf(':');
  const repo = [ds.dpath.replace(/^\/+|\/+$/g, ''), cut > 0 ? ref.slice(0, cut) : ref].filter(Boolean).join('/');
  const tag = cut > 0 ? ref.slice(cut + 1) : 'latest';
  const base = `http://${host}/v2/${repo}`;
  const m = await get(`${base}/manifests/${sha256 ? `sha256:${sha256}` : tag}`, MANIFEST_TYPES);
  if (m.status !== 200) return { ok: false, error: `HTTP ${m.status} for manifest ${repo}:${tag}` };
  const raw = Buffer.from(await m.arrayBuffer());
  const digest = createHash('sha256').update(raw).digest('hex');
  if (sha256 && digest !== sha256)
    return { ok: false, error: `manifest digest sha256:${digest} is not sha256:${sha256}` };
  const manifest = JSON.parse(raw.toString('utf8')) as { config?: Desc; layers?: Desc[] };
  const parts = [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])];
  const blobs = [digest, ...parts.map((p) => p.digest.replace(/^sha256:/, ''))];
  const total = raw.length + parts.reduce((a, p) => a + p.size, 0);
  let current = raw.length;
  progress({ current, total, blobs });
  for (const p of parts) {
    const r = await get(`${base}/blobs/${p.digest}`);
    if (r.status !== 200) return { ok: false, error: `HTTP ${r.status} for blob ${p.digest}` };
    const body = await readAll(r, (n) => {
      current += n;
      progress({ current, total, blobs });
    });
    const got = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (got !== p.digest) return { ok: false, error: `blob ${p.digest}: computed ${got}` };
  }
  return { ok: true, blobs, bytes: current };
}

interface Desc {
  digest: string;
  size: number;
}
