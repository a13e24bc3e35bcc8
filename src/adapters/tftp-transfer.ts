// One running transfer: its own ephemeral UDP socket (the server's TID, RFC 1350 §4), one lazily
// re-armed timer, and the pure state machine from core/tftp/transfer. It runs inside a transfer
// worker (tftp-worker.ts) or, when workers cannot start, on the request thread.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Negotiated } from '../core/tftp/options.js';
import { decodePacket, ErrorCode, encodePacket, Opcode } from '../core/tftp/packet.js';
import type { RetransmitConfig } from '../core/tftp/retransmit.js';
import {
  blockRange,
  bytesAcked,
  type Effect,
  receive,
  type Step,
  startTransfer,
  type Transfer,
  tick,
} from '../core/tftp/transfer.js';
import { openSpec, type SourceSpec, type TftpClient } from './tftp-source.js';

export interface TftpEvent {
  type: 'tftp';
  stage: 'start' | 'progress' | 'finish' | 'abort' | 'refuse';
  /** 'ip:port' of the client (IPv6 as '[ip]:port'). */
  client: string;
  file: string;
  bytes: number;
  total: number;
  done: boolean;
  error?: string;
}

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

/**
 * Preallocated DATA datagrams, one contiguous buffer each (a single iovec is cheapest for Node's send
 * path). Block b uses slot b mod 2·windowsize: a slot is rewritten with new bytes only once the block
 * a full window later is sent, i.e. after the client acknowledged its old block, so its send is done.
 */
function packetRing(windowsize: number, blksize: number): Buffer[] {
  const slots = 2 * windowsize;
  const all = Buffer.allocUnsafeSlow(slots * (4 + blksize));
  return Array.from({ length: slots }, (_, i) => {
    const slot = all.subarray(i * (4 + blksize), (i + 1) * (4 + blksize));
    slot.writeUInt16BE(Opcode.Data, 0); // RFC 1350 §5
    return slot;
  });
}

export function clientKey(c: TftpClient): string {
  return isIPv6(c.address) ? `[${c.address}]:${c.port}` : `${c.address}:${c.port}`;
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/**
 * The transfer socket is connected to the client, so the kernel hands it only the client's packets
 * and sends skip per-packet address handling. A second, unconnected "guard" socket shares the port
 * (SO_REUSEADDR; Linux prefers the connected socket for the exact 4-tuple) and receives everything
 * else, which RFC 1350 §4 says gets ERROR 5 without disturbing the transfer.
 */
async function openTidSockets(bindAddress: string, client: TftpClient): Promise<{ socket: Socket; guard: Socket }> {
  const type = isIPv6(bindAddress) ? 'udp6' : 'udp4';
  const socket = createSocket({ type, reuseAddr: true });
  const guard = createSocket({ type, reuseAddr: true });
  try {
    await bind(socket, bindAddress, 0);
    await bind(guard, bindAddress, socket.address().port);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(client.port, client.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    for (const s of [socket, guard]) s.close();
    throw err;
  }
  return { socket, guard };
}

export async function runTransfer(d: TransferDeps): Promise<RunningTransfer> {
  const { socket, guard } = await openTidSockets(d.bindAddress, d.client);
  const { client, file } = d;
  const source = openSpec(d.source);
  const who = clientKey(client);
  const total = source.size;
  const ring = packetRing(d.negotiated.windowsize, d.negotiated.blksize);
  let state: Transfer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let lastProgress = 0;
  let ended = false;

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
    clearTimeout(timer);
    socket.close();
    guard.close();
    event(stage, error);
    d.onEnd();
  };

  const send = (bytes: Uint8Array) => socket.send(bytes);
  const sendBlock = (block: number): boolean => {
    const r = blockRange(state!, block);
    const slot = ring[block % ring.length]!;
    try {
      source.copy(r.offset, r.length, slot, 4);
    } catch (err) {
      d.log.warn({ file, client: who, err }, 'tftp read failed');
      send(encodePacket({ kind: 'error', code: ErrorCode.NotDefined, message: 'read error' }));
      end('abort', `read error: ${(err as Error).message}`);
      return false;
    }
    slot.writeUInt16BE(block & 0xffff, 2); // block numbers roll over past 65535
    socket.send(r.length + 4 === slot.length ? slot : slot.subarray(0, r.length + 4));
    return true;
  };

  const apply = (step: Step, now: number) => {
    state = step.state;
    for (const e of step.effects) perform(e);
    if (ended) return;
    if (step.effects.length > 0 && now - lastProgress >= d.progressIntervalMs) {
      lastProgress = now;
      event('progress');
    }
    arm(now);
  };

  const perform = (e: Effect) => {
    switch (e.kind) {
      case 'send-oack':
        send(encodePacket({ kind: 'oack', options: e.options }));
        break;
      case 'send-data':
        for (let b = e.from; b <= e.to; b++) if (!sendBlock(b)) return;
        break;
      case 'send-error':
        send(encodePacket({ kind: 'error', code: e.code, message: e.message }));
        break;
      case 'finish':
        end('finish');
        break;
      case 'abort':
        end('abort', e.reason);
        break;
    }
  };

  // One timer per transfer; it may fire early and re-arm, which beats clear/set on every packet.
  const arm = (now: number) => {
    const due = state!.deadline;
    if (timer !== undefined && due >= timerDue) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(onTimer, Math.max(1, due - now));
  };
  const onTimer = () => {
    timer = undefined;
    timerDue = Number.POSITIVE_INFINITY;
    if (!ended) apply(tick(state!, performance.now()), performance.now());
  };

  socket.on('message', (msg) => {
    if (ended) return;
    const p = decodePacket(msg);
    if (p.kind === 'invalid') return d.log.debug({ client: who, reason: p.reason }, 'tftp bad packet ignored');
    const now = performance.now();
    apply(receive(state!, p, now), now);
  });
  guard.on('message', (_msg, rinfo) => {
    const err = encodePacket({ kind: 'error', code: ErrorCode.UnknownTid, message: 'unknown transfer ID' });
    guard.send(err, rinfo.port, rinfo.address);
  });
  guard.on('error', (err) => d.log.debug({ client: who, err }, 'tftp guard socket error'));
  // Send failures (e.g. EPERM from a firewall) are left to the retransmit timer.
  socket.on('error', (err) => d.log.debug({ client: who, err }, 'tftp transfer socket error'));

  const now = performance.now();
  lastProgress = now;
  const first = startTransfer(total, d.negotiated, d.retransmit, now);
  state = first.state;
  event('start');
  apply(first, now);
  return {
    file,
    stop(reason, tellClient = true) {
      if (ended) return;
      if (tellClient) send(encodePacket({ kind: 'error', code: ErrorCode.NotDefined, message: reason }));
      end('abort', reason);
    },
  };
}
