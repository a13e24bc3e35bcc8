import { describe, expect, it } from 'vitest';
import {
  CONFIG_FETCH_WINDOW_MS,
  type ConfigGrant,
  GRANT_TTL_MS,
  type GrantUse,
  mintGrant,
  redeemGrant,
} from '../../../src/core/boot/grant.js';

const T0 = 1_000_000;
const grant: ConfigGrant = mintGrant({
  random16: new Uint8Array(16).fill(7),
  mac: '52:54:00:00:00:01',
  ip: '10.0.0.5',
  now: T0,
});
const N = grant.nonce;

const table: {
  name: string;
  input: { grant?: ConfigGrant; nonce?: string; ip: string; now: number; use: GrantUse };
  want: { kind: 'ok' | 'refuse'; suspicious?: boolean; reason?: RegExp; usedAt?: number };
}[] = [
  {
    name: 'the decision IP with its nonce gets the CONFIG, and the first fetch is stamped',
    input: { grant, nonce: N, ip: '10.0.0.5', now: T0 + 10, use: 'config' },
    want: { kind: 'ok', usedAt: T0 + 10 },
  },
  {
    name: 'another IP with the right nonce is refused and flagged',
    input: { grant, nonce: N, ip: '10.0.0.66', now: T0 + 10, use: 'config' },
    want: { kind: 'refuse', suspicious: true, reason: /presented from 10.0.0.66, but the decision went to 10.0.0.5/ },
  },
  {
    name: 'a wrong nonce is refused without a flag (guessing is not a claim)',
    input: { grant, nonce: 'A'.repeat(22), ip: '10.0.0.5', now: T0, use: 'config' },
    want: { kind: 'refuse', suspicious: false, reason: /no live install decision/ },
  },
  {
    name: 'no nonce at all is refused',
    input: { grant, ip: '10.0.0.5', now: T0, use: 'callback' },
    want: { kind: 'refuse', reason: /no live install decision/ },
  },
  {
    name: 'a machine without a grant refuses everything',
    input: { nonce: N, ip: '10.0.0.5', now: T0, use: 'callback' },
    want: { kind: 'refuse', reason: /no live install decision/ },
  },
  {
    name: 'an expired grant is refused',
    input: { grant, nonce: N, ip: '10.0.0.5', now: T0 + GRANT_TTL_MS + 1, use: 'config' },
    want: { kind: 'refuse', reason: /expired/ },
  },
  {
    name: 'a closed grant (install recorded or superseded) is refused',
    input: { grant: { ...grant, closedAt: T0 + 5 }, nonce: N, ip: '10.0.0.5', now: T0 + 6, use: 'callback' },
    want: { kind: 'refuse', reason: /closed/ },
  },
  {
    name: "GRUB's second read of the CONFIG within the window is the same use",
    input: { grant: { ...grant, usedAt: T0 }, nonce: N, ip: '10.0.0.5', now: T0 + 1000, use: 'config' },
    want: { kind: 'ok', usedAt: T0 },
  },
  {
    name: 'the CONFIG does not go out again after its window',
    input: {
      grant: { ...grant, usedAt: T0 },
      nonce: N,
      ip: '10.0.0.5',
      now: T0 + CONFIG_FETCH_WINDOW_MS + 1,
      use: 'config',
    },
    want: { kind: 'refuse', suspicious: true, reason: /already fetched/ },
  },
  {
    name: 'callbacks still count after the CONFIG went out',
    input: {
      grant: { ...grant, usedAt: T0 },
      nonce: N,
      ip: '10.0.0.5',
      now: T0 + CONFIG_FETCH_WINDOW_MS + 1,
      use: 'callback',
    },
    want: { kind: 'ok', usedAt: T0 },
  },
];

describe('redeemGrant', () => {
  for (const { name, input, want } of table) {
    it(name, () => {
      const r = redeemGrant(input.grant, { ...input, nonce: input.nonce });
      expect(r.kind).toBe(want.kind);
      if (r.kind === 'ok') expect(r.grant.usedAt).toBe(want.usedAt);
      else {
        if (want.reason) expect(r.reason).toMatch(want.reason);
        if (want.suspicious !== undefined) expect(r.suspicious).toBe(want.suspicious);
      }
    });
  }
});

describe('mintGrant', () => {
  it('turns 16 random bytes into a 22-character URL-safe nonce bound to MAC and IP for the TTL', () => {
    expect(grant).toMatchObject({
      mac: '52:54:00:00:00:01',
      ip: '10.0.0.5',
      issuedAt: T0,
      expiresAt: T0 + GRANT_TTL_MS,
    });
    expect(grant.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const other = mintGrant({ random16: new Uint8Array(16).fill(8), mac: grant.mac, ip: grant.ip, now: T0 });
    expect(other.nonce).not.toBe(grant.nonce);
  });
  it('refuses a short random source', () => {
    expect(() => mintGrant({ random16: new Uint8Array(8), mac: 'm', ip: 'i', now: 0 })).toThrow(/16 random bytes/);
  });
});
