// One running transfer: the pure state machine from core/tftp/transfer driven over a transfer I/O, the
// server's own TID port (RFC 1350 §4). Two I/Os exist: the native data pump (tftp-io-native.ts: a C
// thread sends bursts and takes clean ACKs itself) and plain node:dgram (tftp-io-node.ts), used when
// the addon is not built. Either way a guard socket on the same port answers strangers with ERROR 5.
// A transfer runs inside a transfer worker (tftp-worker.ts) or, when workers cannot start, on the
// request thread.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Negotiated } from '../core/tftp/options.js';
import { decodePacket, ErrorCode, encodePacket } from '../core/tftp/packet.js';
import type { RetransmitConfig } from '../core/tftp/retransmit.js';
import {
  advance,
  bytesAcked,
  type Effect,
  receive,
  type Step,
  startTransfer,
  type Transfer,
  tick,
} from '../core/tftp/transfer.js';
import type { TftpEvent } from '../ports/events.js';
import { bindSocket, type IoHandlers, type IoOptions, type TransferIo } from './tftp-io.js';
import { openNativeIo } from './tftp-io-native.js';
import { openNodeIo } from './tftp-io-node.js';
import { type SourceSpec, sourceSize, type TftpClient } from './tftp-source.js';

export type { TftpEvent };

export interface TftpLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TransferDeps {
  bindAddress: string;
  client: TftpClient;
  file: string;
  /** What to serve; the caller owns (and closes) the fd, after onEnd. */
  source: SourceSpec;
  negotiated: Negotiated;
  retransmit: RetransmitConfig;
  progressIntervalMs: number;
  /** Use the native data pump when the addon is built (default true). */
  nativePump?: boolean;
  /** The pump's busy-polling bound in µs (default 0: never spin). */
  busyPollUs?: number;
  emit(e: TftpEvent): void;
  log: TftpLog;
  /** Called once when the transfer ends for any reason. */
  onEnd(): void;
}

export interface RunningTransfer {
  readonly file: string;
  /** Stops the transfer; sends ERROR 0 to the client unless `tellClient` is false. */
  stop(reason: string, tellClient?: boolean): void;
}

export function clientKey(c: TftpClient): string {
  return isIPv6(c.address) ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}`;
}

/**
 * The transfer socket is connected to the client, so the kernel hands it only the client's packets.
 * A second, unconnected "guard" socket shares the port (SO_REUSEADDR; Linux prefers the connected
 * socket for the exact 4-tuple) and receives everything else, which RFC 1350 §4 says gets ERROR 5
 * without disturbing the transfer.
 */
async function openGuard(bindAddress: string, port: number, who: string, log: TftpLog): Promise<Socket> {
  const guard = createSocket({ type: isIPv6(bindAddress) ? 'udp6' : 'udp4', reuseAddr: true });
  try {
    await bindSocket(guard, bindAddress, port);
  } catch (err) {
    guard.close();
    throw err;
  }
  guard.on('message', (_msg, rinfo) => {
    const err = encodePacket({ kind: 'error', code: ErrorCode.UnknownTid, message: 'unknown transfer ID' });
    guard.send(err, rinfo.port, rinfo.address);
  });
  guard.on('error', (err) => log.debug({ client: who, err }, 'tftp guard socket error'));
  return guard;
}

export async function runTransfer(d: TransferDeps): Promise<RunningTransfer> {
  const { client, file } = d;
  const who = clientKey(client);
  let state: Transfer | undefined;
  let lastProgress = 0;
  let reported = -1;
  let ended = false;
  let io: TransferIo | undefined;
  let guard: Socket | undefined;
  const total = sourceSize(d.source);

  const event = (stage: TftpEvent['stage'], error?: string) => {
    const bytes = stage === 'finish' ? total : state ? bytesAcked(state) : 0;
    const done = stage === 'finish' || stage === 'abort';
    d.emit(
      error === undefined
        ? { type: 'tftp', stage, client: who, file, bytes, total, done }
        : { type: 'tftp', stage, client: who, file, bytes, total, done, error },
    );
  };

  const end = (stage: 'finish' | 'abort', error?: string) => {
    if (ended) return;
    ended = true;
    io?.close();
    guard?.close();
    event(stage, error);
    d.onEnd();
  };

  const sendError = (message: string) => io?.send(encodePacket({ kind: 'error', code: ErrorCode.NotDefined, message }));

  const progress = (now: number) => {
    if (!state || now - lastProgress < d.progressIntervalMs || bytesAcked(state) === reported) return;
    lastProgress = now;
    reported = bytesAcked(state);
    event('progress');
  };

  const perform = (e: Effect) => {
    switch (e.kind) {
      case 'send-oack':
        return io!.send(encodePacket({ kind: 'oack', options: e.options }));
      case 'send-data':
        try {
          io!.sendBlocks(state!, e.from, e.to);
        } catch (err) {
          d.log.warn({ file, client: who, err }, 'tftp read failed');
          sendError('read error');
          end('abort', `read error: ${(err as Error).message}`);
        }
        return;
      case 'send-error':
        return io!.send(encodePacket({ kind: 'error', code: e.code, message: e.message }));
      case 'finish':
        return end('finish');
      case 'abort':
        return end('abort', e.reason);
    }
  };

  const apply = (step: Step, now: number) => {
    state = step.state;
    for (const e of step.effects) {
      perform(e);
      if (ended) return;
    }
    progress(now);
    io!.wait(state, now);
  };

  const handlers: IoHandlers = {
    packet(msg) {
      if (ended) return;
      const p = decodePacket(msg);
      const now = performance.now();
      if (p.kind === 'invalid') {
        d.log.debug({ client: who, reason: p.reason }, 'tftp bad packet ignored');
        return io!.wait(state!, now);
      }
      apply(receive(state!, p, now), now);
    },
    due() {
      if (ended) return;
      const now = performance.now();
      apply(tick(state!, now), now);
    },
    pumped(p) {
      if (ended) return false;
      const step = advance(state!, p);
      state = step.state;
      for (const e of step.effects) perform(e);
      return !ended;
    },
    idle() {
      if (ended) return;
      const now = performance.now();
      progress(now);
      io!.wait(state!, now);
    },
    fail(reason, tellClient) {
      if (ended) return;
      if (tellClient) sendError(reason);
      end('abort', reason);
    },
  };

  const opts: IoOptions = { ...d, handlers };
  io = (d.nativePump !== false ? await openNativeIo(opts) : undefined) ?? (await openNodeIo(opts));
  try {
    guard = await openGuard(d.bindAddress, io.port, who, d.log);
  } catch (err) {
    io.close();
    throw err;
  }
  const now = performance.now();
  lastProgress = now;
  const first = startTransfer(total, d.negotiated, d.retransmit, now);
  state = first.state;
  d.log.debug({ client: who, file, io: io.kind }, 'tftp transfer io');
  event('start');
  apply(first, now);
  return {
    file,
    stop(reason, tellClient = true) {
      if (ended) return;
      if (tellClient) sendError(reason);
      end('abort', reason);
    },
  };
}
