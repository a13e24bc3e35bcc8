// Per-transfer state machine for a read (server sends DATA). Pure: time comes in as `now` (ms,
// monotonic), and the adapter turns effects into packets and a single re-armed timer.
//
// Blocks are numbered absolutely from 1 (block 0 is the OACK acknowledgement); on the wire they
// are taken modulo 65536, so transfers longer than 65535 blocks roll over to 0 like tftp-hpa,
// atftp and curl expect.
import type { Negotiated } from './options.js';
import type { Packet } from './packet.js';
import { ErrorCode } from './packet.js';
import { backoff, initialRto, type RetransmitConfig, type Rto, sampleRtt } from './retransmit.js';

export interface Transfer {
  readonly size: number;
  readonly blksize: number;
  readonly windowsize: number;
  /** Absolute number of the final block; a size that is a multiple of blksize adds an empty block (RFC 1350 §6). */
  readonly lastBlock: number;
  readonly oack: ReadonlyArray<[string, string]>;
  readonly cfg: RetransmitConfig;
  phase: 'oack' | 'data' | 'done' | 'aborted';
  /** Highest block the client acknowledged (0 = none yet, or the OACK). */
  acked: number;
  /** Highest block sent in the outstanding burst. */
  sentTo: number;
  /** When the outstanding burst (or OACK) was first sent, for RTT samples. */
  burstAt: number;
  /** The outstanding burst was retransmitted, so its ACK is no RTT sample (Karn's rule). */
  retried: boolean;
  retries: number;
  deadline: number;
  rto: Rto;
}

export type Effect =
  | { kind: 'send-oack'; options: ReadonlyArray<[string, string]> }
  /** Send absolute blocks from..to inclusive. */
  | { kind: 'send-data'; from: number; to: number }
  | { kind: 'send-error'; code: ErrorCode; message: string }
  | { kind: 'finish' }
  | { kind: 'abort'; reason: string };

export interface Step {
  state: Transfer;
  effects: Effect[];
  /** Why nothing happened, for debug logs; absent when effects were produced. */
  ignored?: string;
}

export function startTransfer(size: number, n: Negotiated, cfg: RetransmitConfig, now: number): Step {
  const rto = initialRto(cfg, n.timeoutMs);
  const base: Transfer = {
    size,
    blksize: n.blksize,
    windowsize: n.windowsize,
    lastBlock: Math.floor(size / n.blksize) + 1,
    oack: n.oack,
    cfg,
    phase: n.oack.length > 0 ? 'oack' : 'data',
    acked: 0,
    sentTo: 0,
    burstAt: now,
    retried: false,
    retries: 0,
    deadline: now + rto.current,
    rto,
  };
  // RFC 2347: with options the server answers OACK and waits for ACK 0; without, DATA 1 goes straight out.
  if (base.phase === 'oack') return { state: base, effects: [{ kind: 'send-oack', options: n.oack }] };
  return sendBurst(base, now);
}

/** Byte range of an absolute block. */
export function blockRange(t: Transfer, block: number): { offset: number; length: number } {
  const offset = (block - 1) * t.blksize;
  return { offset, length: Math.max(0, Math.min(t.blksize, t.size - offset)) };
}

/** Bytes the client has confirmed. */
export function bytesAcked(t: Transfer): number {
  return Math.min(t.size, t.acked * t.blksize);
}

function sendBurst(t: Transfer, now: number): Step {
  const from = t.acked + 1;
  const to = Math.min(t.lastBlock, t.acked + t.windowsize);
  const state: Transfer = { ...t, sentTo: to, burstAt: now, retried: false, deadline: now + t.rto.current };
  return { state, effects: [{ kind: 'send-data', from, to }] };
}

/** Maps a 16-bit wire block onto the latest absolute block at or below sentTo (rollover). */
function unwrap(t: Transfer, wire: number): number {
  return t.sentTo - ((t.sentTo - wire) & 0xffff);
}

export function receive(t: Transfer, p: Packet, now: number): Step {
  if (t.phase === 'done' || t.phase === 'aborted') return { state: t, effects: [], ignored: `transfer ${t.phase}` };
  switch (p.kind) {
    case 'error':
      // RFC 1350 §7: an ERROR ends the transfer and is never acknowledged. OVMF sends ERROR 8
      // "User aborted the transfer" right after reading tsize from the OACK (its size probe).
      return {
        state: { ...t, phase: 'aborted' },
        effects: [{ kind: 'abort', reason: `client sent ERROR ${p.code}: ${p.message}` }],
      };
    case 'ack':
      return t.phase === 'oack' ? ackOack(t, p.block, now) : ackData(t, p.block, now);
    default:
      return { state: t, effects: [], ignored: `unexpected ${p.kind} on a read transfer` };
  }
}

function ackOack(t: Transfer, block: number, now: number): Step {
  if (block !== 0) return { state: t, effects: [], ignored: `ACK ${block} while waiting for ACK 0 of the OACK` };
  const rto = t.retried ? t.rto : sampleRtt(t.rto, now - t.burstAt, t.cfg);
  return sendBurst({ ...t, phase: 'data', rto, retries: 0 }, now);
}

function ackData(t: Transfer, wire: number, now: number): Step {
  const block = unwrap(t, wire);
  // Sorcerer's Apprentice (RFC 1123 §4.2.3.1): a duplicate ACK never triggers a send; only the
  // timer retransmits. A gap report (ACK of the last in-order block, RFC 7440 §4) is covered by it too.
  if (block <= t.acked) return { state: t, effects: [], ignored: `duplicate ACK ${wire}` };
  const rto = !t.retried && block === t.sentTo ? sampleRtt(t.rto, now - t.burstAt, t.cfg) : t.rto;
  const next: Transfer = { ...t, acked: block, rto, retries: 0 };
  if (block === t.lastBlock) return { state: { ...next, phase: 'done' }, effects: [{ kind: 'finish' }] };
  // RFC 7440 §4: an ACK inside the window means the rest was lost; the new window starts after it.
  return sendBurst(next, now);
}

/** Called by the adapter's timer; does nothing before the deadline. */
export function tick(t: Transfer, now: number): Step {
  if (t.phase === 'done' || t.phase === 'aborted') return { state: t, effects: [], ignored: `transfer ${t.phase}` };
  if (now < t.deadline) return { state: t, effects: [], ignored: 'not yet due' };
  if (t.retries >= t.cfg.maxRetries) {
    const reason = `no ACK after ${t.retries + 1} attempts`;
    return {
      state: { ...t, phase: 'aborted' },
      effects: [
        { kind: 'send-error', code: ErrorCode.NotDefined, message: 'timeout' },
        { kind: 'abort', reason },
      ],
    };
  }
  const rto = backoff(t.rto);
  const state: Transfer = { ...t, rto, retries: t.retries + 1, retried: true, deadline: now + rto.current };
  if (t.phase === 'oack') return { state, effects: [{ kind: 'send-oack', options: t.oack }] };
  return { state, effects: [{ kind: 'send-data', from: t.acked + 1, to: t.sentTo }] };
}

/**
 * What the native data pump (native/src/tftp_pump.c) did on its own: it took every ACK that moved the
 * window forward, answered each with the next burst, and stopped at anything else. `burstAt` is when
 * it sent the burst now outstanding; `rttMs` is its last clean round trip (Karn's rule applied), if any.
 */
export interface Pumped {
  acked: number;
  sentTo: number;
  burstAt: number;
  rttMs: number | null;
}

/**
 * Folds the pump's progress into the state, as if each of its ACKs had gone through `receive`: the
 * window, the retry count and the finish are the same; the timer takes one RTT sample per pump run
 * instead of one per burst. Progress that `receive` could not have produced aborts the transfer.
 */
export function advance(t: Transfer, p: Pumped): Step {
  if (p.acked === t.acked && p.sentTo === t.sentTo) return { state: t, effects: [], ignored: 'no progress' };
  const window = Math.min(t.lastBlock, p.acked + t.windowsize);
  const valid =
    t.phase === 'data' &&
    Number.isInteger(p.acked) &&
    p.acked > t.acked &&
    p.acked <= t.lastBlock &&
    p.sentTo === (p.acked === t.lastBlock ? t.lastBlock : window);
  if (!valid) {
    const reason = `pump reported acked ${p.acked}, sent ${p.sentTo} from acked ${t.acked}, sent ${t.sentTo}`;
    return { state: { ...t, phase: 'aborted' }, effects: [{ kind: 'abort', reason }] };
  }
  const rto = p.rttMs === null ? t.rto : sampleRtt(t.rto, p.rttMs, t.cfg);
  const next: Transfer = {
    ...t,
    acked: p.acked,
    sentTo: p.sentTo,
    burstAt: p.burstAt,
    retried: false,
    retries: 0,
    rto,
    deadline: p.burstAt + rto.current,
  };
  if (p.acked === t.lastBlock) return { state: { ...next, phase: 'done' }, effects: [{ kind: 'finish' }] };
  return { state: next, effects: [] };
}
