// A synchronous PostgreSQL connection, because the Store port is synchronous (the core runs whole atomic sections
// in a plain function). The `pg` client lives in a worker thread (pg-worker.ts); the calling thread posts the
// statements and blocks in Atomics.wait on a SharedArrayBuffer until the worker signals its reply.
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { PG_WORKER_SOURCE } from './pg-worker.js';

export interface PgStep {
  sql: string;
  params?: unknown[];
}

export type PgRequest = { close: true } | { close?: false; steps: PgStep[]; inTx: boolean };
export type PgReply = { ok: true; rows: Record<string, unknown>[][] } | { ok: false; message: string; code?: string };

/** A PostgreSQL error, with its SQLSTATE (e.g. 23505 unique_violation). */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

export class PgConnection {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private closed = false;

  /** Connects at once, so a wrong URL or a stopped server fails here. */
  constructor(
    url: string,
    private readonly timeoutMs = 60_000,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const pgPath = createRequire(import.meta.url).resolve('pg');
    this.worker = new Worker(PG_WORKER_SOURCE, {
      eval: true,
      workerData: { pgPath, url, flag: this.flag, port: port2 },
      transferList: [port2],
    });
    this.worker.unref();
    try {
      this.run([{ sql: 'SELECT 1' }], false);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Runs the statements in order on the worker's connection; one result set per statement. */
  run(steps: PgStep[], inTx: boolean): Record<string, unknown>[][] {
    const reply = this.call({ steps, inTx });
    if (!reply.ok) throw new PgError(reply.message, reply.code);
    return reply.rows;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.call({ close: true });
    } catch {
      // the worker is terminated below anyway
    }
    this.port.close();
    void this.worker.terminate();
  }

  private call(req: PgRequest): PgReply {
    if (this.closed && !req.close) throw new PgError('the PostgreSQL store is closed');
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(req);
    if (Atomics.wait(this.flag, 0, 0, this.timeoutMs) === 'timed-out') {
      // A late reply would be taken for the next request's: this connection is done.
      this.closed = true;
      void this.worker.terminate();
      throw new PgError(`PostgreSQL did not answer within ${this.timeoutMs} ms`);
    }
    const msg = receiveMessageOnPort(this.port);
    if (!msg) throw new PgError('PostgreSQL worker signalled without a reply');
    return msg.message as PgReply;
  }
}
