// Option negotiation for a read request (RFC 2347 framework; blksize, tsize, timeout, windowsize).
import type { Options } from './packet.js';

/** Valid ranges from the option RFCs. */
export const OptionLimit = {
  DefaultBlksize: 512, // RFC 1350 §2: fixed 512-byte blocks without options
  MinBlksize: 8, // RFC 2348
  MaxBlksize: 65464, // RFC 2348
  MinTimeoutS: 1, // RFC 2349
  MaxTimeoutS: 255, // RFC 2349
  MinWindowsize: 1, // RFC 7440 §3
  MaxWindowsize: 65535, // RFC 7440 §3
} as const;

export interface ServerLimits {
  /** Largest blksize granted; 1468 fills a 1500-byte Ethernet frame (1500 - 20 IP - 8 UDP - 4 TFTP). */
  maxBlksize: number;
  /** Largest windowsize granted (RFC 7440); 1 disables windowing. */
  maxWindowsize: number;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  /** The client's `timeout` option (RFC 2349) in ms, or null; caps our retransmit timer. */
  timeoutMs: number | null;
  /** Options to acknowledge in an OACK, in the client's order; empty means "no OACK, send DATA 1". */
  oack: Array<[string, string]>;
}

function decimal(value: string): number | null {
  return /^[0-9]{1,10}$/.test(value) ? Number(value) : null;
}

/**
 * Picks the options to acknowledge. Unknown options and malformed values are left out of the OACK
 * (RFC 2347: the server simply omits options it does not support), e.g. atftp 0.8's `tsize=enable`.
 */
export function negotiateOptions(requested: Options, size: number, limits: ServerLimits): Negotiated {
  const out: Negotiated = { blksize: OptionLimit.DefaultBlksize, windowsize: 1, timeoutMs: null, oack: [] };
  const seen = new Set<string>();
  for (const [name, raw] of requested) {
    if (seen.has(name)) continue; // first occurrence wins
    seen.add(name);
    const value = decimal(raw);
    if (value === null) continue;
    switch (name) {
      case 'blksize': {
        // RFC 2348: values below 8 are invalid; larger requests are answered with a smaller value.
        if (value < OptionLimit.MinBlksize) break;
        out.blksize = Math.min(value, OptionLimit.MaxBlksize, Math.max(OptionLimit.MinBlksize, limits.maxBlksize));
        out.oack.push([name, String(out.blksize)]);
        break;
      }
      case 'tsize':
        // RFC 2349 §"Transfer Size": in a RRQ the client sends 0 and the server answers the real size.
        out.oack.push([name, String(size)]);
        break;
      case 'timeout':
        // RFC 2349: the server must either accept the value as-is or omit it. We accept it and never
        // wait longer than it before retransmitting (see retransmit.ts).
        if (value < OptionLimit.MinTimeoutS || value > OptionLimit.MaxTimeoutS) break;
        out.timeoutMs = value * 1000;
        out.oack.push([name, String(value)]);
        break;
      case 'windowsize': {
        // RFC 7440 §3: the server may answer with a smaller window.
        if (value < OptionLimit.MinWindowsize) break;
        out.windowsize = Math.min(value, OptionLimit.MaxWindowsize, Math.max(1, limits.maxWindowsize));
        out.oack.push([name, String(out.windowsize)]);
        break;
      }
      default:
        break;
    }
  }
  return out;
}
