// Lease table: pool + static reservations, offers held briefly, bindings, quarantined (declined) addresses.
// Deterministic: time is an argument (ms since epoch); changes happen only through apply(effect).
import { intToIp, ipToInt, normalizeMac } from './address.js';

export type LeaseState = 'offered' | 'bound' | 'declined';

export interface Lease {
  ip: string;
  /** Colon form; empty for a declined address. */
  mac: string;
  state: LeaseState;
  /** ms since epoch; after this the entry no longer blocks the address. */
  expiresAt: number;
  hostname?: string;
}

export interface PoolConfig {
  /** First and last dynamic address (inclusive). */
  start: string;
  end: string;
  subnetMask: string;
  router?: string;
  dns?: string[];
  domain?: string;
  /** Lease seconds for ordinary clients and for PXE firmware/iPXE (short, like MAAS's 30 s class). */
  leaseSeconds: number;
  pxeLeaseSeconds: number;
  /** MAC → address; may lie outside start..end but must be in the subnet. */
  reservations?: Readonly<Record<string, string>>;
}

export type LeaseEffect =
  | { op: 'hold'; lease: Lease }
  | { op: 'bind'; lease: Lease }
  | { op: 'release'; ip: string; mac: string }
  | { op: 'decline'; lease: Lease };

export const OFFER_HOLD_MS = 30_000; // an OFFER reserves its address this long (iPXE REQUESTs ~3-4 s later)
export const DECLINE_QUARANTINE_MS = 10 * 60_000; // RFC 2131 §3.1.5 leaves the duration to the server

export class LeaseTable {
  private readonly byIp = new Map<number, Lease>();
  /** MAC → address of its most recent entry. */
  private readonly byMac = new Map<string, number>();
  private readonly reservedByMac = new Map<string, number>();
  private readonly reservedIps = new Set<number>();
  private readonly first: number;
  private readonly last: number;
  private cursor: number;

  constructor(
    readonly pool: PoolConfig,
    leases: readonly Lease[] = [],
  ) {
    this.first = ipToInt(pool.start);
    this.last = ipToInt(pool.end);
    if (this.last < this.first) throw new RangeError(`pool end ${pool.end} is before start ${pool.start}`);
    this.cursor = this.first;
    for (const [mac, ip] of Object.entries(pool.reservations ?? {})) {
      const norm = normalizeMac(mac);
      if (!norm) throw new RangeError(`reservation key is not a MAC address: ${mac}`);
      this.reservedByMac.set(norm, ipToInt(ip));
      this.reservedIps.add(ipToInt(ip));
    }
    for (const l of leases) this.store(l);
  }

  all(): Lease[] {
    return [...this.byIp.values()];
  }

  get(ip: string): Lease | undefined {
    return this.byIp.get(ipToInt(ip));
  }

  reservationOf(mac: string): string | undefined {
    const r = this.reservedByMac.get(mac);
    return r === undefined ? undefined : intToIp(r);
  }

  /** The unexpired offer or binding of this MAC, if any. */
  activeOf(mac: string, now: number): Lease | undefined {
    const l = this.latestOf(mac);
    return l && l.state !== 'declined' && l.expiresAt > now ? l : undefined;
  }

  private latestOf(mac: string): Lease | undefined {
    const n = this.byMac.get(mac);
    const l = n === undefined ? undefined : this.byIp.get(n);
    return l?.mac === mac ? l : undefined;
  }

  inPool(ip: string): boolean {
    const n = ipToInt(ip);
    return (n >= this.first && n <= this.last) || this.reservedIps.has(n);
  }

  /** May `mac` use `ip` now? Reserved addresses belong to their MAC; others are free when unleased or expired. */
  usableBy(ip: string, mac: string, now: number): boolean {
    const n = ipToInt(ip);
    if (!this.inPool(ip)) return false;
    const owner = this.reservedByMac.get(mac);
    if (this.reservedIps.has(n) && owner !== n) return false;
    const l = this.byIp.get(n);
    return !l || l.expiresAt <= now || (l.mac === mac && l.state !== 'declined');
  }

  /** Picks an address: reservation, current lease, requested (opt 50), last expired lease of this MAC, then a free one. */
  pick(mac: string, requested: string | undefined, now: number): string | undefined {
    const reserved = this.reservedByMac.get(mac);
    if (reserved !== undefined) return this.usableBy(intToIp(reserved), mac, now) ? intToIp(reserved) : undefined;
    const active = this.activeOf(mac, now);
    if (active) return active.ip;
    if (requested && this.isDynamic(requested) && this.usableBy(requested, mac, now)) return requested;
    const previous = this.latestOf(mac);
    if (previous && this.isDynamic(previous.ip) && this.usableBy(previous.ip, mac, now)) return previous.ip;
    return this.scanFree(mac, now);
  }

  private isDynamic(ip: string): boolean {
    const n = ipToInt(ip);
    return n >= this.first && n <= this.last;
  }

  /** Round-robin from a cursor: never-used addresses first, then the longest-expired one. */
  private scanFree(mac: string, now: number): string | undefined {
    const size = this.last - this.first + 1;
    let oldest: Lease | undefined;
    for (let i = 0; i < size; i++) {
      const n = this.first + ((this.cursor - this.first + i) % size);
      if (this.reservedIps.has(n)) continue;
      const l = this.byIp.get(n);
      if (!l) return intToIp(n);
      if (l.expiresAt <= now && (!oldest || l.expiresAt < oldest.expiresAt)) oldest = l;
    }
    return oldest && this.usableBy(oldest.ip, mac, now) ? oldest.ip : undefined;
  }

  apply(e: LeaseEffect): void {
    switch (e.op) {
      case 'hold':
      case 'bind':
      case 'decline':
        this.store(e.lease);
        return;
      case 'release': {
        const l = this.byIp.get(ipToInt(e.ip));
        // Keep the entry, expired, so the MAC gets the same address next time.
        if (l && l.mac === e.mac) this.store({ ...l, expiresAt: 0 });
        return;
      }
    }
  }

  private store(l: Lease): void {
    const n = ipToInt(l.ip);
    const before = this.byIp.get(n);
    if (before && before.mac !== l.mac && this.byMac.get(before.mac) === n) this.byMac.delete(before.mac);
    this.byIp.set(n, l);
    if (l.mac) this.byMac.set(l.mac, n);
    if (n >= this.cursor && n <= this.last) this.cursor = n === this.last ? this.first : n + 1;
  }
}
