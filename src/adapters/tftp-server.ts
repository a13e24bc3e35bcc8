// Read-only TFTP server: the request port loop (receive, decide, answer) and the set of running
// transfers. Everything protocol-shaped is decided in core/tftp; this file only does I/O.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { availableParallelism } from 'node:os';
import { type Negotiated, negotiateOptions, type ServerLimits } from '../core/tftp/options.js';
import { decodePacket, ErrorCode, encodePacket } from '../core/tftp/packet.js';
import { decideRequest, type RequestDecision } from '../core/tftp/request.js';
import { defaultRetransmit, type RetransmitConfig } from '../core/tftp/retransmit.js';
import { loadNativePump } from './native-addon.js';
import { createTransferPool, inProcess, type TransferPool } from './tftp-pool.js';
import { type GenerateFile, openSource, resolveRoot, sourceSize, type TftpClient } from './tftp-source.js';
import { clientKey, type RunningTransfer, type TftpEvent, type TftpLog } from './tftp-transfer.js';
import { type Pending, TransferTable } from './tftp-transfers.js';

export type { GenerateFile, TftpClient } from './tftp-source.js';
export type { TftpEvent, TftpLog } from './tftp-transfer.js';

export interface TftpServerOptions {
  /** Boot root; every file name is confined to it (symlinks that leave it are refused). */
  root: string;
  /** Bind address; also used for the per-transfer sockets. Default '0.0.0.0'. */
  address?: string;
  /** Request port. Default 69 (needs root or CAP_NET_BIND_SERVICE); 0 picks a free port. */
  port?: number;
  /** Consulted before the root, e.g. for per-machine iPXE scripts. */
  generate?: GenerateFile;
  /** RFC 2348 ceiling. Default 1468 (one Ethernet frame). */
  maxBlksize?: number;
  /** RFC 7440 ceiling. Default 16. */
  maxWindowsize?: number;
  retransmit?: Partial<RetransmitConfig>;
  /** Minimum gap between 'progress' events of one transfer. Default 250 ms. */
  progressIntervalMs?: number;
  /**
   * Send DATA through the native data pump (native/src/tftp_pump.c) when the addon is built; default
   * true. False (or no addon) uses node:dgram, which costs one event-loop round trip per block.
   */
  nativePump?: boolean;
  /**
   * How long the native pump may spin on the socket for an ACK before it sleeps, in µs; default 100.
   * It adapts to the client (spins about twice the ACK wait it sees, and not at all for slow clients),
   * and nobody spins while more transfers run than cores - 1. 0 never spins.
   */
  busyPollUs?: number;
  /** Worker threads that run transfers; default os.availableParallelism(), 0 runs them on the request thread. */
  workers?: number;
  onEvent?: (e: TftpEvent) => void;
  log?: TftpLog;
}

export interface TftpServer {
  /** Binds the request port; resolves with the bound address (useful with port 0). */
  listen(): Promise<{ address: string; port: number }>;
  /** Stops accepting requests and aborts running transfers. */
  close(): Promise<void>;
  activeTransfers(): number;
}

const silent: TftpLog = { debug() {}, info() {}, warn() {} };

export function createTftpServer(opts: TftpServerOptions): TftpServer {
  const address = opts.address ?? '0.0.0.0';
  const limits: ServerLimits = { maxBlksize: opts.maxBlksize ?? 1468, maxWindowsize: opts.maxWindowsize ?? 16 };
  const log = opts.log ?? silent;
  const emit = guardedEmit(opts.onEvent, log);
  const transfers = new TransferTable();
  let socket: Socket | undefined;
  let pool: TransferPool | undefined;
  let realRoot = '';

  const refuse = (s: Socket, client: TftpClient, file: string, code: ErrorCode, message: string) => {
    s.send(encodePacket({ kind: 'error', code, message }), client.port, client.address);
    const who = clientKey(client);
    emit({ type: 'tftp', stage: 'refuse', client: who, file, bytes: 0, total: 0, done: true, error: message });
    log.info({ client: who, file, code, message }, 'tftp request refused');
  };

  /** Looks the file up and starts the transfer in the slot `entry` holds. */
  const start = async (s: Socket, client: TftpClient, d: Read, entry: Pending) => {
    const key = clientKey(client);
    const found = await openSource(realRoot, d.path, client, opts.generate);
    if (found.kind === 'missing') return refuse(s, client, d.path, ErrorCode.FileNotFound, 'file not found');
    if (found.kind === 'refuse') return refuse(s, client, d.path, ErrorCode.AccessViolation, found.reason);
    const negotiated: Negotiated = negotiateOptions(d.options, sourceSize(found.spec), limits);
    log.debug({ client: key, file: d.path, negotiated }, 'tftp transfer starting');
    let ended = false;
    let running: RunningTransfer | undefined;
    try {
      const job = { ...jobDefaults(opts), bindAddress: address, client, file: d.path, source: found.spec, negotiated };
      running = await (pool ?? inProcess(log)).run(job, {
        emit,
        onEnd: () => {
          ended = true;
          found.close();
          if (running) transfers.release(key, running);
        },
      });
    } catch (err) {
      found.close();
      throw err;
    }
    transfers.place(key, entry, running, { listening: socket !== undefined, ended });
  };

  const read = (s: Socket, client: TftpClient, d: Read) => {
    const key = clientKey(client);
    const entry = transfers.claim(key, d.path);
    if (!entry) return log.debug({ client: key, file: d.path }, 'tftp duplicate RRQ ignored');
    start(s, client, d, entry)
      .catch((err) => {
        log.warn({ client: key, file: d.path, err }, 'tftp transfer failed to start');
        refuse(s, client, d.path, ErrorCode.NotDefined, 'internal error');
      })
      .finally(() => transfers.release(key, entry));
  };

  // The request port loop: receive, decide (core/tftp/request.ts), answer.
  const onRequest = (s: Socket, msg: Buffer, client: TftpClient) => {
    const d = decideRequest(decodePacket(msg));
    switch (d.kind) {
      case 'ignore':
        return log.debug({ client: clientKey(client), reason: d.reason }, 'tftp packet ignored');
      case 'refuse':
        return refuse(s, client, d.requested, d.code, d.message);
      case 'read':
        return read(s, client, d);
    }
  };

  return {
    async listen() {
      realRoot = await resolveRoot(opts.root);
      pool ??= await createTransferPool(opts.workers ?? availableParallelism(), log);
      const s = await bindRequestPort(address, opts.port ?? 69);
      s.on('error', (err) => log.warn({ err }, 'tftp request socket error'));
      s.on('message', (msg, rinfo) => onRequest(s, msg, { address: rinfo.address, port: rinfo.port }));
      socket = s;
      const a = s.address();
      const pump = opts.nativePump === false ? 'off' : loadNativePump();
      const dataPath = typeof pump === 'string' ? 'node:dgram' : 'native pump';
      if (typeof pump === 'string' && pump !== 'off')
        log.warn({ reason: pump }, 'tftp: native data pump unavailable, DATA goes through node:dgram (slower)');
      log.info({ address: a.address, port: a.port, root: realRoot, workers: pool.threads, dataPath }, 'tftp listening');
      return { address: a.address, port: a.port };
    },
    async close() {
      const s = socket;
      socket = undefined;
      transfers.stopAll('server shutting down');
      const p = pool;
      pool = undefined;
      await p?.close();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    activeTransfers: () => transfers.size,
  };
}

type Read = Extract<RequestDecision, { kind: 'read' }>;

/** The per-transfer settings every job of this server shares. */
function jobDefaults(opts: TftpServerOptions) {
  const retransmit: RetransmitConfig = { ...defaultRetransmit, ...opts.retransmit };
  return {
    retransmit,
    progressIntervalMs: opts.progressIntervalMs ?? 250,
    nativePump: opts.nativePump ?? true,
    busyPollUs: opts.busyPollUs ?? 100,
  };
}

/** An event listener that throws never stops a transfer or the request loop. */
function guardedEmit(onEvent: ((e: TftpEvent) => void) | undefined, log: TftpLog) {
  return (e: TftpEvent) => {
    try {
      onEvent?.(e);
    } catch (err) {
      log.warn({ err }, 'tftp event handler threw');
    }
  };
}

/** The request port, bound exclusively: a second server on the same port fails here instead of sharing it. */
async function bindRequestPort(address: string, port: number): Promise<Socket> {
  const s = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address, port, exclusive: true }, () => {
      s.off('error', reject);
      resolve();
    });
  });
  return s;
}
