// The PostgreSQL schema: the same tables, columns and JSON documents as sqlite-store.ts, with BIGINT where SQLite
// has INTEGER (millisecond timestamps), plus what several appliance processes on one database need: a UNIQUE
// (serial, soft_serial) so one machine is one device, and a schema_version row.
import type { PgStep } from './pg-connection.js';

export const SCHEMA_VERSION = 1;

/** Key of the transaction-scoped advisory lock that every Store.tx takes: atomic sections run one at a time. */
export const TX_LOCK_KEY = 0x65766562; // 'eveb'

export const SCHEMA: PgStep[] = [
  `CREATE TABLE IF NOT EXISTS devices (uuid TEXT PRIMARY KEY, cert_hash TEXT UNIQUE NOT NULL, serial TEXT NOT NULL,
    soft_serial TEXT NOT NULL, doc TEXT NOT NULL)`,
  'CREATE UNIQUE INDEX IF NOT EXISTS devices_serial ON devices(serial, soft_serial)',
  'CREATE TABLE IF NOT EXISTS machines (key TEXT PRIMARY KEY, doc TEXT NOT NULL)',
  `CREATE TABLE IF NOT EXISTS reports (uuid TEXT NOT NULL, kind TEXT NOT NULL, at BIGINT NOT NULL, bytes BIGINT NOT NULL,
    json TEXT NOT NULL, count BIGINT NOT NULL DEFAULT 1, total_bytes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (uuid, kind))`,
  `CREATE TABLE IF NOT EXISTS events (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, type TEXT NOT NULL,
    node TEXT, data TEXT NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS nic_obs (key TEXT PRIMARY KEY, doc TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS clusters (name TEXT PRIMARY KEY, doc TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)',
].map((sql) => ({ sql }));

/** Creates the schema once even when several processes open a new database at the same moment. */
export function schemaSteps(): PgStep[] {
  return [
    { sql: 'BEGIN' },
    { sql: 'SELECT pg_advisory_xact_lock($1)', params: [TX_LOCK_KEY] },
    ...SCHEMA,
    { sql: 'INSERT INTO schema_version (version) VALUES ($1) ON CONFLICT DO NOTHING', params: [SCHEMA_VERSION] },
    { sql: 'SELECT max(version) AS version FROM schema_version' },
    { sql: 'COMMIT' },
  ];
}

export const SQL = {
  byUuid: 'SELECT doc FROM devices WHERE uuid = $1',
  byUuidForUpdate: 'SELECT doc FROM devices WHERE uuid = $1 FOR UPDATE',
  byHash: 'SELECT doc FROM devices WHERE cert_hash = $1',
  bySerial: 'SELECT doc FROM devices WHERE serial = $1 AND soft_serial = $2',
  // COLLATE "C": byte order, as SQLite's BINARY collation sorts.
  devices: 'SELECT doc FROM devices ORDER BY serial COLLATE "C", soft_serial COLLATE "C"',
  insertDevice: 'INSERT INTO devices (uuid, cert_hash, serial, soft_serial, doc) VALUES ($1, $2, $3, $4, $5)',
  updateDevice: 'UPDATE devices SET doc = $1, cert_hash = $2 WHERE uuid = $3',
  machine: 'SELECT doc FROM machines WHERE key = $1',
  machines: 'SELECT doc FROM machines ORDER BY key COLLATE "C"',
  putMachine: 'INSERT INTO machines (key, doc) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc',
  addReport: `INSERT INTO reports (uuid, kind, at, bytes, json, total_bytes) VALUES ($1, $2, $3, $4, $5, $4)
    ON CONFLICT (uuid, kind) DO UPDATE SET at = excluded.at, bytes = excluded.bytes, json = excluded.json,
    count = reports.count + 1, total_bytes = reports.total_bytes + excluded.bytes`,
  reports: 'SELECT uuid, kind, at, bytes, json FROM reports WHERE uuid = $1 ORDER BY kind COLLATE "C"',
  counts: 'SELECT kind, count, total_bytes FROM reports WHERE uuid = $1',
  addEvent: 'INSERT INTO events (at, type, node, data) VALUES ($1, $2, $3, $4) RETURNING id',
  events: 'SELECT id, at, type, node, data FROM events WHERE id > $1 ORDER BY id LIMIT $2',
  putObs: 'INSERT INTO nic_obs (key, doc) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc',
  obs: 'SELECT doc FROM nic_obs ORDER BY key COLLATE "C"',
  cluster: 'SELECT doc FROM clusters WHERE name = $1',
  clusterForUpdate: 'SELECT doc FROM clusters WHERE name = $1 FOR UPDATE',
  clusters: 'SELECT doc FROM clusters ORDER BY name COLLATE "C"',
  insertCluster: 'INSERT INTO clusters (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name',
  updateCluster: 'UPDATE clusters SET doc = $2 WHERE name = $1',
};
