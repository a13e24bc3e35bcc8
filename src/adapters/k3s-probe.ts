// Probes one K3s server on its cluster IP (k3s-facts.md): zedkube's :12346/status over plain HTTP, then the
// supervisor on :6443 over HTTPS: /cacerts (trust on first use), /ping, /v1-k3s/readyz as node:<token> and
// /db/info as server:<token>. An AddressMap lets the demo send a cluster IP's ports to loopback ports; TLS
// identity is still checked against the cluster IP. The token goes into Authorization headers and nowhere else:
// every detail string is scrubbed of it before it leaves this file.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { decidePin } from '../core/readiness/ca-pin.js';
import type { Check, ProbeResult } from '../core/readiness/observation.js';

export type AddressMap = (ip: string, port: number) => { host: string; port: number };
export const directRoute: AddressMap = (ip, port) => ({ host: ip, port });

/** K3s supervisor / apiserver port and EVE zedkube's cluster status port (eve-api-facts §5.1, §5.4). */
export const K3S_PORT = 6443;
export const STATUS_PORT = 12346;

export interface PinnedCa {
  sha256: string;
  pem: string;
}

/** Where the pin lives: memory by default; the lead may persist it (the CA is public, not a secret). */
export interface CaPinStore {
  get(): PinnedCa | undefined;
  set(pin: PinnedCa): void;
}

export function memoryPin(initial?: PinnedCa): CaPinStore {
  let pin = initial;
  return { get: () => pin, set: (p) => (pin = p) };
}

export interface Reply {
  status: number;
  body: string;
}

export interface GetOptions {
  tls: false | { ca?: string; verifyAs?: string };
  auth?: { user: string; password: string };
  timeoutMs: number;
}

/** One GET. `tls.ca` undefined means unverified (first /cacerts fetch; EVE's own join check does the same). */
export function get(map: AddressMap, ip: string, port: number, path: string, o: GetOptions): Promise<Reply> {
  const { host, port: p } = map(ip, port);
  const headers: Record<string, string> = {};
  if (o.auth) headers.Authorization = `Basic ${Buffer.from(`${o.auth.user}:${o.auth.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const done = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const base = { host, port: p, path, method: 'GET', headers, timeout: o.timeoutMs, agent: false as const };
    const req = o.tls
      ? httpsRequest(
          {
            ...base,
            rejectUnauthorized: o.tls.ca !== undefined,
            ...(o.tls.ca ? { ca: o.tls.ca } : {}),
            checkServerIdentity: (_h: string, cert: PeerCertificate) =>
              checkServerIdentity((o.tls as { verifyAs?: string }).verifyAs ?? ip, cert),
          },
          done,
        )
      : httpRequest(base, done);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface K3sProbeOptions {
  clusterId: string;
  /** The minted join token, opened on demand (never stored here). */
  token: () => string;
  pin: CaPinStore;
  map?: AddressMap;
  timeoutMs?: number;
  now?: () => number;
}

export interface ProbeTarget {
  uuid: string;
  name: string;
  ip: string;
}

export interface K3sProbe {
  probe(target: ProbeTarget): Promise<ProbeResult>;
}

export function createK3sProbe(o: K3sProbeOptions): K3sProbe {
  const map = o.map ?? directRoute;
  const timeoutMs = o.timeoutMs ?? 2000;
  const now = o.now ?? Date.now;
  return {
    async probe(t) {
      const token = o.token();
      const scrub = (s: string) => (token ? s.split(token).join('[redacted]') : s);
      const attempt = async <T extends object>(what: string, f: () => Promise<Check & T>): Promise<Check & T> => {
        try {
          const r = await f();
          return { ...r, detail: scrub(r.detail) };
        } catch (e) {
          return { ok: false, detail: scrub(`${what}: ${(e as Error).message}`) } as Check & T;
        }
      };
      const at = now();
      const status = await attempt<{ body?: string }>(`${t.ip}:${STATUS_PORT}/status`, async () => {
        const r = await get(map, t.ip, STATUS_PORT, '/status', { tls: false, timeoutMs });
        return {
          ok: r.status === 200,
          httpStatus: r.status,
          body: r.body.trim(),
          detail: `HTTP ${r.status} "${r.body.trim()}"`,
        };
      });
      const cacerts = await attempt(`${t.ip}:${K3S_PORT}/cacerts`, () => fetchCa(map, t.ip, o.pin, timeoutMs));
      const verified = { tls: { ca: o.pin.get()?.pem }, timeoutMs };
      const https = (path: string, auth?: { user: string; password: string }) =>
        get(map, t.ip, K3S_PORT, path, auth ? { ...verified, auth } : verified);
      const ping = await attempt(`${t.ip}:${K3S_PORT}/ping`, async () => {
        const r = await https('/ping');
        return {
          ok: r.status === 200 && r.body.trim() === 'pong',
          httpStatus: r.status,
          detail: `HTTP ${r.status} "${r.body.trim().slice(0, 40)}"`,
        };
      });
      const readyz = await attempt(`${t.ip}:${K3S_PORT}/v1-k3s/readyz`, async () => {
        const r = await https('/v1-k3s/readyz', { user: 'node', password: token });
        return {
          ok: r.status === 200,
          httpStatus: r.status,
          detail: `HTTP ${r.status} "${r.body.trim().slice(0, 80)}"`,
        };
      });
      const dbInfo = await attempt<{ members?: string[] }>(`${t.ip}:${K3S_PORT}/db/info`, async () => {
        const r = await https('/db/info', { user: 'server', password: token });
        if (r.status !== 200)
          return { ok: false, httpStatus: r.status, detail: `HTTP ${r.status} "${r.body.trim().slice(0, 80)}"` };
        const members = parseMembers(r.body);
        if (!members) return { ok: false, httpStatus: r.status, detail: 'HTTP 200 but not an etcd member list' };
        return { ok: true, httpStatus: 200, members, detail: `${members.length} member(s)` };
      });
      return { uuid: t.uuid, name: t.name, ip: t.ip, at, status, ping, cacerts, readyz, dbInfo };
    },
  };
}

async function fetchCa(map: AddressMap, ip: string, pin: CaPinStore, timeoutMs: number) {
  const pinned = pin.get();
  // First contact: nothing to verify against yet (k3s-facts.md); later contacts verify TLS with the pinned CA.
  let r: Reply;
  try {
    r = await get(map, ip, K3S_PORT, '/cacerts', { tls: { ca: pinned?.pem }, timeoutMs });
  } catch (e) {
    if (!pinned || !isTrustError(e)) throw e;
    // The server's cert does not chain to the pinned CA: fetch what it offers, to show which CA it is.
    const seen = await get(map, ip, K3S_PORT, '/cacerts', { tls: {}, timeoutMs });
    const sha256 = createHash('sha256').update(seen.body).digest('hex');
    const why = (e as Error).message;
    return {
      ok: false,
      sha256,
      pin: 'mismatch' as const,
      detail: `TLS: ${why}; it offers CA sha256 ${sha256}, pinned ${pinned.sha256}`,
    };
  }
  if (r.status !== 200) return { ok: false, httpStatus: r.status, detail: `HTTP ${r.status}` };
  const sha256 = createHash('sha256').update(r.body).digest('hex');
  const d = decidePin(pinned?.sha256, sha256);
  if (d.kind === 'pin') pin.set({ sha256, pem: r.body });
  if (d.kind === 'mismatch') {
    return { ok: true, sha256, pin: 'mismatch' as const, detail: `CA sha256 ${sha256}, pinned ${d.pinned}` };
  }
  const pinState = d.kind === 'pin' ? ('pinned-now' as const) : ('match' as const);
  return { ok: true, httpStatus: 200, sha256, pin: pinState, detail: `CA sha256 ${sha256} (${pinState})` };
}

const TRUST_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isTrustError(e: unknown): boolean {
  return TRUST_ERRORS.has(String((e as { code?: unknown }).code));
}

/** etcd's MemberListResponse as JSON: {members: [{name, peerURLs, clientURLs}]}. */
function parseMembers(body: string): string[] | undefined {
  try {
    const j = JSON.parse(body) as { members?: { name?: unknown }[] };
    if (!Array.isArray(j.members)) return undefined;
    return j.members.map((m) => String(m.name ?? ''));
  } catch {
    return undefined;
  }
}
