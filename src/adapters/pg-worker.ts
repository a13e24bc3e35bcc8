// The worker thread behind pg-connection.ts: it owns one `pg` client and runs the statements the calling thread
// sends. It is plain JavaScript run with `eval: true`, because Node 20 does not apply the TypeScript loader
// (tsx, vitest) inside worker threads, and the same code must run from src/ and from dist/. The `pg` module
// path comes resolved in workerData. Each reply is posted on the port first and then signalled through the
// shared flag, so the caller, blocked in Atomics.wait, always finds it with receiveMessageOnPort.
//
// workerData: {pgPath: string, url: string, flag: Int32Array, port: MessagePort}
// request:    {close: true} | {steps: {sql, params?}[], inTx: boolean}
// reply:      {ok: true, rows: object[][]} | {ok: false, message: string, code?: string}
export const PG_WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const { url, flag, port } = workerData;

// int8 (BIGINT, BIGSERIAL): millisecond timestamps, byte counters and event ids, all far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

let client;
let lost;

async function connection(inTx) {
  if (client && !lost) return client;
  // A transaction lives on its connection: replaying its tail on a new one would commit half of it.
  if (client && inTx) throw new Error('connection to PostgreSQL lost inside a transaction: ' + lost.message);
  if (client) client.end().catch(() => {});
  client = undefined;
  const c = new pg.Client({ connectionString: url, application_name: 'eveboot' });
  c.on('error', (e) => { lost = e; });
  await c.connect();
  client = c;
  lost = undefined;
  return c;
}

async function handle(req) {
  if (req.close) {
    if (client) await client.end();
    client = undefined;
    return { ok: true, rows: [] };
  }
  const c = await connection(req.inTx);
  const rows = [];
  for (const s of req.steps) rows.push((await c.query(s.sql, s.params)).rows);
  return { ok: true, rows };
}

port.on('message', (req) => {
  handle(req)
    .catch((e) => ({ ok: false, message: String((e && e.message) || e), code: e && e.code }))
    .then((reply) => {
      port.postMessage(reply);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
});
`;
