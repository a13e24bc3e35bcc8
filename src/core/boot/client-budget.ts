// Per-client admission for the HTTP servers the boot LAN can reach: how many requests one IP may have in
// flight, and how many a window of time may bring (counted, not timed: the window start comes in as `now`).
// Pure; the adapter (adapters/http/client-limits.ts) holds one ClientBudget per server.

export interface BudgetLimits {
  /** Requests one IP may have open at once. */
  perIp: number;
  /** Requests in flight from everyone on the routes marked heavy (large bodies). */
  heavyTotal: number;
  /** Clients the per-IP cap does not apply to (loopback: this host's own rehearsal nodes share one address). */
  exempt?: (ip: string) => boolean;
}

export type Admission = { kind: 'admit' } | { kind: 'refuse'; reason: string };

export class ClientBudget {
  private readonly open = new Map<string, number>();
  private heavy = 0;

  constructor(private readonly limits: BudgetLimits) {}

  /** Take a slot for ip; every admit must be paired with one release(ip, heavy). */
  admit(ip: string, heavy: boolean): Admission {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.limits.perIp && !this.limits.exempt?.(ip))
      return { kind: 'refuse', reason: `${n} requests already open from ${ip} (limit ${this.limits.perIp})` };
    if (heavy && this.heavy >= this.limits.heavyTotal)
      return {
        kind: 'refuse',
        reason: `${this.heavy} large uploads already in flight (limit ${this.limits.heavyTotal})`,
      };
    this.open.set(ip, n + 1);
    if (heavy) this.heavy++;
    return { kind: 'admit' };
  }

  release(ip: string, heavy: boolean): void {
    const n = (this.open.get(ip) ?? 1) - 1;
    if (n <= 0) this.open.delete(ip);
    else this.open.set(ip, n);
    if (heavy) this.heavy = Math.max(0, this.heavy - 1);
  }

  /** Open requests of ip (for tests and metrics). */
  inFlight(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}

/** Fixed-window counter per IP: at most `max` events per `windowMs`; memory is bounded by `maxClients`. */
export class RateWindow {
  private readonly counts = new Map<string, { start: number; n: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxClients = 4096,
  ) {}

  take(ip: string, now: number): Admission {
    let c = this.counts.get(ip);
    if (!c || now - c.start >= this.windowMs) {
      if (!c && this.counts.size >= this.maxClients) this.prune(now);
      c = { start: now, n: 0 };
      this.counts.set(ip, c);
    }
    if (c.n >= this.max)
      return { kind: 'refuse', reason: `more than ${this.max} requests from ${ip} in ${this.windowMs / 1000} s` };
    c.n++;
    return { kind: 'admit' };
  }

  private prune(now: number): void {
    for (const [ip, c] of this.counts) if (now - c.start >= this.windowMs) this.counts.delete(ip);
    // Still full: forget the oldest windows (a flood of fresh IPs must not grow the map without bound).
    for (const ip of this.counts.keys()) {
      if (this.counts.size < this.maxClients) break;
      this.counts.delete(ip);
    }
  }
}
