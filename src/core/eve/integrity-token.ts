// The integrity token a successful quote issues (eve-api-facts §3.6) is kept only as its SHA-256, so a copy
// of the database cannot be replayed as a live token. The device presents it in every ConfigRequest (and in
// STORE_KEYS); we compare digests in constant time.
import { timingSafeEqual } from 'node:crypto';
import { hex, sha256 } from './hashes.js';

export function integrityTokenDigest(token: Uint8Array): string {
  return hex(sha256(token));
}

/** Whether token is the one issued to the device whose stored digest is `stored`. */
export function integrityTokenMatches(stored: string | undefined, token: Uint8Array): boolean {
  if (!stored || token.length === 0) return false;
  const want = Buffer.from(stored, 'hex');
  const got = Buffer.from(sha256(token));
  return want.length === got.length && timingSafeEqual(want, got);
}
