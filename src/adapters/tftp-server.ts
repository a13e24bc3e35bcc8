// Read-only TFTP server: the request port loop (receive, decide, answer) and the set of running
// transfers. Everything protocol-shaped is decided in core/tftp; this file only does I/O.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { availableParallelism } from 'node:os';
import { type Negotiated, negotiateOptions, type ServerLimits } from '../core/tftp/options.js';
import { decodePacket, ErrorCode, encodePacket, type Options } from '../core/tftp/packet.js';
import { decideRequest } from '../core/tftp/request.js';
import { defaultRetransmit, type RetransmitConfig } from '../core/tftp/retransmit.js';
import { loadNativePump } from './native-addon.js';
import { createTransferPool, inProcess, type TransferPool } from './tftp-pool.js';
import { type GenerateFile, openSource, resolveRoot, sourceSize, type TftpClient } from './tftp-source.js';
import { clientKey, type RunningTransfer, type TftpEvent, type TftpLog } from './tftp-transfer.js';

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
  const retransmit: RetransmitConfig = { ...defaultRetransmit, ...opts.retransmit };
  const log = opts.log ?? silent;
  const emit = (e: TftpEvent) => {
    try {
      opts.onEvent?.(e);
    } catch (err) {
      log.warn({ err }, 'tftp event handler threw');
    }
  };
  // Keyed by client ip:port. A retransmitted RRQ from the same endpoint is ignored while its transfer
  // runs, instead of starting a second transfer the client would have to kill with ERROR 5.
  // A request being looked up or handed to a worker is a Pending entry of its own, so a second request
  // for another file from the same port can take its place (the first then stops as soon as it starts).
  type Pending = { pending: string };
  const transfers = new Map<string, RunningTransfer | Pending>();
  const isPending = (t: RunningTransfer | Pending | undefined): t is Pending => t !== undefined && 'pending' in t;
  let socket: Socket | undefined;
  let pool: TransferPool | undefined;
  let realRoot = '';

  const refuse = (s: Socket, client: TftpClient, file: string, code: ErrorCode, message: string) => {
    s.send(encodePacket({ kind: 'error', code, message }), client.port, client.address);
    emit({
      type: 'tftp',
      stage: 'refuse',
      client: clientKey(client),
      file,
      bytes: 0,
      total: 0,
      done: true,
      error: message,
    });
    log.info({ client: clientKey(client), file, code, message }, 'tftp request refused');
  };

  /** Looks the file up and starts the transfer; the caller owns the `entry` in the map. */
  const start = async (s: Socket, client: TftpClient, path: string, requested: Options, entry: Pending) => {
    const key = clientKey(client);
    const found = await openSource(realRoot, path, client, opts.generate);
    if (found.kind === 'missing') return refuse(s, client, path, ErrorCode.FileNotFound, 'file not found');
    if (found.kind === 'refuse') return refuse(s, client, path, ErrorCode.AccessViolation, found.reason);
    const negotiated: Negotiated = negotiateOptions(requested, sourceSize(found.spec), limits);
    log.debug({ client: key, file: path, negotiated }, 'tftp transfer starting');
    let ended = false;
    let running: RunningTransfer | undefined;
    try {
      const job = {
        bindAddress: address,
        client,
        file: path,
        source: found.spec,
        negotiated,
        retransmit,
        progressIntervalMs: opts.progressIntervalMs ?? 250,
        nativePump: opts.nativePump ?? true,
        busyPollUs: opts.busyPollUs ?? 100,
      };
      running = await (pool ?? inProcess(log)).run(job, {
        emit,
        onEnd: () => {
          ended = true;
          found.close();
          if (running && transfers.get(key) === running) transfers.delete(key);
        },
      });
    } catch (err) {
      found.close();
      throw err;
    }
    if (socket === undefined) running.stop('server shutting down');
    else if (!ended && transfers.get(key) === entry) transfers.set(key, running);
    else if (!ended) running.stop('superseded by a new request', false);
  };

  const onRequest = (s: Socket, msg: Buffer, client: TftpClient) => {
    const d = decideRequest(decodePacket(msg));
    switch (d.kind) {
      case 'ignore':
        log.debug({ client: clientKey(client), reason: d.reason }, 'tftp packet ignored');
        return;
      case 'refuse':
        return refuse(s, client, d.requested, d.code, d.message);
      case 'read': {
        const key = clientKey(client);
        const current = transfers.get(key);
        if ((isPending(current) ? current.pending : current?.file) === d.path) {
          log.debug({ client: key, file: d.path }, 'tftp duplicate RRQ ignored');
          return;
        }
        // The client gave up on that transfer by asking again from the same port. No ERROR to it: with
        // the transfer in a worker, its final ACK may still be in flight, and the ERROR would arrive
        // as the first packet the new request sees.
        if (!isPending(current)) current?.stop('superseded by a new request', false);
        const entry: Pending = { pending: d.path };
        transfers.set(key, entry);
        start(s, client, d.path, d.options, entry)
          .catch((err) => {
            log.warn({ client: key, file: d.path, err }, 'tftp transfer failed to start');
            refuse(s, client, d.path, ErrorCode.NotDefined, 'internal error');
          })
          .finally(() => {
            if (transfers.get(key) === entry) transfers.delete(key);
          });
        return;
      }
    }
  };

  return {
    async listen() {
      realRoot = await resolveRoot(opts.root);
      pool ??= await createTransferPool(opts.workers ?? availableParallelism(), log);
      const s = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind({ address, port: opts.port ?? 69, exclusive: true }, () => {
          s.off('error', reject);
          resolve();
        });
      });
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
      for (const t of transfers.values()) if (!isPending(t)) t.stop('server shutting down');
      transfers.clear();
      const p = pool;
      pool = undefined;
      await p?.close();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    // Pending entries count: a worker may be sending DATA before its 'started' reply gets here.
    activeTransfers: () => transfers.size,
  };
}
