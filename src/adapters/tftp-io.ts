// The seam between a running transfer (tftp-transfer.ts) and the two ways of moving its packets (tftp-io-native.ts,
// tftp-io-node.ts): what an I/O offers, what it reports back, and what it is given.
import type { Socket } from 'node:dgram';
import type { Negotiated } from '../core/tftp/options.js';
import type { Pumped, Transfer } from '../core/tftp/transfer.js';
import type { SourceSpec, TftpClient } from './tftp-source.js';

/** What a transfer I/O reports back to the runner. */
export interface IoHandlers {
  /** A datagram from the client. */
  packet(msg: Buffer): void;
  /** The timer the last `wait` asked for ran out. */
  due(): void;
  /** Native pump only: it moved the window forward on its own; false when that ended the transfer. */
  pumped(p: Pumped): boolean;
  /** Native pump only: it returned with nothing to decide (progress interval); wait again. */
  idle(): void;
  /** The source could not be read or the socket failed: the transfer cannot go on. */
  fail(reason: string, tellClient: boolean): void;
}

export interface TransferIo {
  /** 'native' or 'node', for logs and tests. */
  readonly kind: string;
  /** The local port: the server's TID. */
  readonly port: number;
  /** One datagram (OACK, ERROR); a failed send is left to the retransmit timer. */
  send(bytes: Uint8Array): void;
  /** DATA blocks from..to of `t`; throws when the source cannot be read. */
  sendBlocks(t: Transfer, from: number, to: number): void;
  /** After every step that leaves the transfer running: wait for the next packet or `t.deadline`. */
  wait(t: Transfer, now: number): void;
  close(): void;
}

/** The part of a transfer's deps (tftp-transfer.ts TransferDeps) an I/O needs, and where it reports. */
export interface IoOptions {
  bindAddress: string;
  client: TftpClient;
  source: SourceSpec;
  negotiated: Negotiated;
  progressIntervalMs: number;
  busyPollUs?: number;
  handlers: IoHandlers;
}

export function bindSocket(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
