// The one-time CONFIG grant of an install decision. Each install decision mints an unguessable nonce (the caller
// passes random bytes in) bound to the MAC that got the decision and the IP it asked from. The nonce travels only
// inside the boot script that decision returns and is the key to the boot callbacks (installed, booting) and to
// /config/<nonce>.img. The decision's CONFIG (its own onboarding credential) also goes, without the nonce, to the
// live grant's IP only: inside installer.iso and as /config.img, which EVE's GRUB fetches by fixed names.
// Pure: time comes in as `now`, randomness as bytes.

export interface ConfigGrant {
  /** base64url of 16 random bytes. */
  nonce: string;
  mac: string;
  /** Source IP of the identity report that got the install decision. */
  ip: string;
  issuedAt: number;
  expiresAt: number;
  /** When the CONFIG image was first fetched with this nonce. */
  usedAt?: number;
  /** hex SHA-256 of the onboarding cert minted for this decision (what register will accept, once). */
  onboardCertHash?: string;
  /** Set when the install is recorded or the grant is superseded: nothing counts with this nonce any more. */
  closedAt?: number;
}

/** How long a boot script's nonce is good for: long enough for a slow download of installer.iso. */
export const GRANT_TTL_MS = 30 * 60 * 1000;
/** A client may fetch the nonce URL more than once and with ranges: a few fetches in this window are one use. */
export const CONFIG_FETCH_WINDOW_MS = 2 * 60 * 1000;

const NONCE_RE = /^[A-Za-z0-9_-]{22}$/;

export function mintGrant(i: { random16: Uint8Array; mac: string; ip: string; now: number }): ConfigGrant {
  if (i.random16.length !== 16) throw new Error('a grant nonce needs 16 random bytes');
  return {
    nonce: Buffer.from(i.random16).toString('base64url'),
    mac: i.mac,
    ip: i.ip,
    issuedAt: i.now,
    expiresAt: i.now + GRANT_TTL_MS,
  };
}

export function isNonce(s: unknown): s is string {
  return typeof s === 'string' && NONCE_RE.test(s);
}

export type Redeem = { kind: 'ok'; grant: ConfigGrant } | { kind: 'refuse'; reason: string; suspicious: boolean };

export type GrantUse = 'config' | 'callback';

/**
 * May `ip` use `nonce` for `use` now? The CONFIG goes to the decision's IP only, within the TTL, and for a short
 * window after its first fetch (then never again); callbacks count from the decision's IP until the grant closes.
 * `suspicious` marks answers worth a conflict flag: a live nonce presented from another IP.
 */
export function redeemGrant(
  grant: ConfigGrant | undefined,
  q: { nonce: string | undefined; ip: string; now: number; use: GrantUse },
): Redeem {
  if (!grant || !isNonce(q.nonce) || q.nonce !== grant.nonce) {
    return { kind: 'refuse', reason: 'no live install decision has this nonce', suspicious: false };
  }
  if (grant.closedAt !== undefined)
    return { kind: 'refuse', reason: 'this install decision is closed', suspicious: false };
  if (q.now > grant.expiresAt) return { kind: 'refuse', reason: 'this install decision expired', suspicious: false };
  if (q.ip !== grant.ip) {
    return {
      kind: 'refuse',
      reason: `nonce of ${grant.mac} presented from ${q.ip}, but the decision went to ${grant.ip}`,
      suspicious: true,
    };
  }
  if (q.use === 'config') {
    if (grant.usedAt !== undefined && q.now > grant.usedAt + CONFIG_FETCH_WINDOW_MS) {
      return { kind: 'refuse', reason: 'the CONFIG of this install decision was already fetched', suspicious: true };
    }
    return { kind: 'ok', grant: grant.usedAt === undefined ? { ...grant, usedAt: q.now } : grant };
  }
  return { kind: 'ok', grant };
}

/** A grant still in play: not closed and not expired. */
export function liveGrant(grant: ConfigGrant | undefined, now: number): ConfigGrant | undefined {
  return grant && grant.closedAt === undefined && now <= grant.expiresAt ? grant : undefined;
}
