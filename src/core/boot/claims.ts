// Second claimants. An attacker on the boot LAN can say any MAC or serial; what it cannot do silently is claim a
// machine someone else is already claiming. Each check returns either "ok" or a conflict naming both claimants,
// and a conflict holds the machine (no install decision, nothing sealed) until the operator chooses one.
// Pure: the caller passes the facts (machine record, DHCP lease, time) in.
import { type ConfigGrant, liveGrant } from './grant.js';

export interface Claimant {
  mac?: string;
  ip?: string;
  serial?: string;
  /** SHA-256 fingerprint of the device cert (register conflicts). */
  certFingerprint?: string;
  firstSeen: number;
}

export type ConflictKind = 'mac-ip' | 'serial-cert' | 'info-mac';

export interface Conflict {
  kind: ConflictKind;
  /** What is claimed twice: a MAC (boot side) or a serial (controller side). */
  subject: string;
  /** The incumbent first, the newcomer second. */
  claimants: [Claimant, Claimant];
  raisedAt: number;
  reason: string;
}

export type ClaimCheck =
  | { kind: 'ok' }
  | { kind: 'conflict'; conflict: Conflict }
  /** Not a second claimant (nobody else claims the MAC), but not a machine we booted either: no decision. */
  | { kind: 'refuse'; reason: string };

/**
 * An identity report for `m.mac` from `ip`. It conflicts when the MAC already has an open conflict, when the
 * operator pinned it to another IP, when a live install decision for it went to another IP, or when our DHCP
 * server leased this MAC a different address than the one the report comes from.
 */
/** What a claim is checked against: these fields of the MAC's boot record (ports/boot-store.ts BootMachine). */
export interface ClaimRecord {
  firstSeen: number;
  grant?: ConfigGrant;
  conflict?: Conflict;
  pinnedIp?: string;
}

export function checkBootClaim(i: {
  machine: ClaimRecord | undefined;
  mac: string;
  ip: string;
  leaseIp: string | undefined;
  /** Our DHCP server hands out the addresses here (full mode): every PXE client got its lease from us first. */
  leaseRequired?: boolean;
  now: number;
}): ClaimCheck {
  const m = i.machine;
  const newcomer: Claimant = { mac: i.mac, ip: i.ip, firstSeen: i.now };
  const conflict = (incumbent: Claimant, why: string): ClaimCheck => ({
    kind: 'conflict',
    conflict: {
      kind: 'mac-ip',
      subject: i.mac,
      claimants: [incumbent, newcomer],
      raisedAt: i.now,
      reason: `MAC ${i.mac} claimed from ${i.ip}, ${why}`,
    },
  });
  if (m?.conflict) {
    const c = m.conflict;
    // The same two parties again: still the same conflict, not a new one.
    if (c.claimants.some((x) => x.ip === i.ip)) return { kind: 'conflict', conflict: c };
    return conflict(c.claimants[0], `while it is already in conflict (${c.reason})`);
  }
  if (m?.pinnedIp && m.pinnedIp !== i.ip) {
    return conflict(
      { mac: i.mac, ip: m.pinnedIp, firstSeen: m.firstSeen },
      `but the operator pinned it to ${m.pinnedIp}`,
    );
  }
  const live = liveGrant(m?.grant, i.now);
  if (live && live.ip !== i.ip) {
    return conflict(
      { mac: i.mac, ip: live.ip, firstSeen: live.issuedAt },
      `but its install decision went to ${live.ip}`,
    );
  }
  if (i.leaseRequired && !i.leaseIp && !m?.pinnedIp) {
    return { kind: 'refuse', reason: `MAC ${i.mac} reported from ${i.ip} but never got a DHCP lease here` };
  }
  if (i.leaseIp && i.leaseIp !== i.ip && !m?.pinnedIp) {
    return conflict(
      { mac: i.mac, ip: i.leaseIp, firstSeen: m?.firstSeen ?? i.now },
      `but our DHCP leased it ${i.leaseIp}`,
    );
  }
  return { kind: 'ok' };
}

/** The first ZInfoDevice must list the MAC that got the install decision among its ports. */
export function checkInfoMac(i: {
  bootMac: string | undefined;
  reported: string[];
}): { ok: true } | { ok: false; reason: string } {
  if (!i.bootMac) return { ok: true };
  const want = i.bootMac.toLowerCase();
  if (i.reported.some((m) => m.toLowerCase() === want)) return { ok: true };
  return {
    ok: false,
    reason: `EVE reported MACs ${i.reported.join(', ') || '(none)'}, but the install decision went to ${want}`,
  };
}

/** One line naming both claimants, for the report and the log. */
export function conflictText(c: Conflict): string {
  const who = (x: Claimant) =>
    [
      x.mac && `MAC ${x.mac}`,
      x.ip && `IP ${x.ip}`,
      x.certFingerprint && `cert ${x.certFingerprint.slice(0, 16)}…`,
      `first seen ${new Date(x.firstSeen).toISOString()}`,
    ]
      .filter(Boolean)
      .join(', ');
  return `conflict (${c.kind}) on ${c.subject}: ${c.reason}; held for the operator. Claimant 1: ${who(c.claimants[0])}. Claimant 2: ${who(c.claimants[1])}`;
}
