// Which machine is downloading, and how far it got. Client IP → MAC comes from identity reports and from DHCP
// lease events (the caller feeds those in with note()); byte counts per (MAC, path) become throttled
// `http.progress` events.
import { addSpan, type ProgressMark, type Spans, shouldReport, spanBytes } from '../../core/boot/progress.js';
import type { Clock } from '../../ports/clock.js';
import type { Emit } from '../../ports/events.js';

export class IpMacTable {
  private readonly byIp = new Map<string, string>();

  /** Record that `ip` belongs to `mac` (latest wins). IPv4-mapped IPv6 (::ffff:a.b.c.d) is stored as IPv4. */
  note(ip: string, mac: string): void {
    this.byIp.set(plainIp(ip), mac);
  }

  mac(ip: string): string | undefined {
    return this.byIp.get(plainIp(ip));
  }
}

export function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export type { Emit };

interface Counter {
  spans: Spans;
  mark?: ProgressMark;
}

export class ProgressMeter {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly emit: Emit,
    private readonly clock: Clock,
    private readonly onComplete: (mac: string, path: string, ip: string) => void = () => {},
  ) {}

  /** Forget a machine's counters (a new install attempt starts from 0 %). */
  reset(mac: string): void {
    for (const k of this.counters.keys()) if (k.startsWith(`${mac} `)) this.counters.delete(k);
  }

  /** A request for the whole file starts a fresh download: count from 0 again (Range requests accumulate). */
  restart(who: { mac?: string; ip: string }, path: string): void {
    this.counters.delete(`${who.mac ?? `ip:${who.ip}`} ${path}`);
  }

  /** Bytes [from, from + n) of `path` (of `total`) went to `mac` (or to an unmapped IP). Accumulated across
   *  requests as the union of the byte ranges, because GRUB reads a loop-mounted ISO as many Range requests. */
  add(who: { mac?: string; ip: string }, path: string, from: number, n: number, total: number): void {
    const id = who.mac ?? `ip:${who.ip}`;
    const key = `${id} ${path}`;
    const c = this.counters.get(key) ?? { spans: [] };
    const before = spanBytes(c.spans);
    c.spans = addSpan(c.spans, from, Math.min(total, from + n));
    this.counters.set(key, c);
    const bytes = spanBytes(c.spans);
    const now = this.clock.now();
    if (bytes === before && before > 0) return;
    if (!shouldReport(c.mark, now, bytes, total)) return;
    if (bytes >= total && c.mark?.bytes === total) return; // the 100 % event goes out once
    c.mark = { at: now, bytes };
    this.emit({ type: 'http.progress', data: { mac: who.mac ?? null, ip: who.ip, path, bytes, total } });
    if (bytes >= total && who.mac) this.onComplete(who.mac, path, who.ip);
  }
}
