// Store on PostgreSQL, for factory lines where several stations share one database. Same tables and JSON
// documents as sqlite-store.ts (schema in pg-schema.ts), synchronous like the port through pg-connection.ts.
// Several appliance processes may use one database at once:
// - every Store.tx takes one transaction-scoped advisory lock, so atomic sections (cluster creation with its
//   token, device registration) run one at a time across processes, and each sees the others' commits;
// - devices are UNIQUE by (serial, soft_serial) and by cert hash, and a cluster row is inserted only if absent;
// - read-modify-write of a device or cluster document holds the row lock and checks write-once rules
//   (pg-guards.ts): token, plan and sealed block are never replaced by a second, different one.
import { EvebootError } from '../core/errors.js';
import type { ClusterRecord, DeviceRecord, MachineRecord, Store, StoredEvent } from '../ports/store.js';
import { PgConnection, PgError, type PgStep } from './pg-connection.js';
import { checkClusterWrite, checkDeviceWrite } from './pg-guards.js';
import { SQL, schemaSteps, TX_LOCK_KEY } from './pg-schema.js';

type Row = Record<string, unknown>;

export function openPgStore(url: string): Store {
  const conn = new PgConnection(url);
  let depth = 0;
  try {
    conn.run(schemaSteps(), false);
  } catch (e) {
    conn.close();
    throw e;
  }
  const run = (steps: PgStep[]) => conn.run(steps, depth > 0);
  const all = (sql: string, ...params: unknown[]): Row[] => run([{ sql, params }])[0] ?? [];
  const doc = <T>(sql: string, ...params: unknown[]): T | undefined => {
    const row = all(sql, ...params)[0];
    return row ? (JSON.parse(row.doc as string) as T) : undefined;
  };
  const docs = <T>(sql: string): T[] => all(sql).map((r) => JSON.parse(r.doc as string) as T);

  /** Runs fn in a transaction (a savepoint when nested); `lock` serialises it with every other process's tx. */
  function atomic<T>(fn: () => T, lock: boolean): T {
    const sp = `eveboot_${depth}`;
    run(depth === 0 ? [{ sql: 'BEGIN' }] : [{ sql: `SAVEPOINT ${sp}` }]);
    if (lock && depth === 0) run([{ sql: 'SELECT pg_advisory_xact_lock($1)', params: [TX_LOCK_KEY] }]);
    depth++;
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new TypeError('Store.tx needs a synchronous function');
    } catch (e) {
      depth--;
      try {
        run(depth === 0 ? [{ sql: 'ROLLBACK' }] : [{ sql: `ROLLBACK TO SAVEPOINT ${sp}` }]);
      } catch {
        // the connection is gone: the server rolls the transaction back itself
      }
      throw e;
    }
    depth--;
    run([{ sql: depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT ${sp}` }]);
    return result;
  }
  /** Row-locked read-modify-write: inside the caller's tx, or in a short one of its own. */
  const locked = <T>(fn: () => T): T => (depth > 0 ? fn() : atomic(fn, false));

  function putCluster(c: ClusterRecord): void {
    const json = JSON.stringify(c);
    const inTx = depth > 0;
    locked(() => {
      for (;;) {
        const cur = doc<ClusterRecord>(SQL.clusterForUpdate, c.name);
        if (cur) {
          checkClusterWrite(cur, c, inTx);
          all(SQL.updateCluster, c.name, json);
          return;
        }
        // Insert only if absent: when another process inserted meanwhile, check against its row instead.
        if (all(SQL.insertCluster, c.name, json).length > 0) return;
      }
    });
  }

  return {
    deviceByUuid: (uuid) => doc<DeviceRecord>(SQL.byUuid, uuid),
    deviceByCertHash: (hash) => doc<DeviceRecord>(SQL.byHash, hash),
    deviceBySerial: (serial, soft) => doc<DeviceRecord>(SQL.bySerial, serial, soft),
    devices: () => docs<DeviceRecord>(SQL.devices),
    insertDevice: (d) => {
      try {
        all(SQL.insertDevice, d.uuid, d.deviceCertHash, d.serial, d.softSerial, JSON.stringify(d));
      } catch (e) {
        if (!(e instanceof PgError && e.code === '23505')) throw e;
        throw new EvebootError(
          'EVEBOOT_ERR_CONFLICT',
          `a device with serial ${d.serial || '-'}/${d.softSerial || '-'} or this device cert is already registered`,
        );
      }
    },
    updateDevice: (uuid, patch) =>
      locked(() => {
        const cur = doc<DeviceRecord>(SQL.byUuidForUpdate, uuid);
        if (!cur) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no device ${uuid}`);
        const next = { ...cur, ...patch, uuid };
        checkDeviceWrite(cur, next);
        all(SQL.updateDevice, JSON.stringify(next), next.deviceCertHash, uuid);
      }),
    machine: (key) => doc<MachineRecord>(SQL.machine, key),
    machines: () => docs<MachineRecord>(SQL.machines),
    putMachine: (m) => void all(SQL.putMachine, m.key, JSON.stringify(m)),
    addReport: (r) => void all(SQL.addReport, r.uuid, r.kind, r.at, r.bytes, r.json),
    latestReports: (uuid) =>
      all(SQL.reports, uuid).map((r) => ({
        uuid: r.uuid as string,
        kind: r.kind as string,
        at: r.at as number,
        bytes: r.bytes as number,
        json: r.json as string,
      })),
    reportCounts: (uuid) =>
      Object.fromEntries(
        all(SQL.counts, uuid).map((r) => [
          r.kind as string,
          { count: r.count as number, bytes: r.total_bytes as number },
        ]),
      ),
    addEvent: (e) => {
      const id = all(SQL.addEvent, e.at, e.type, e.node ?? null, JSON.stringify(e.data))[0]?.id as number;
      return { ...e, id };
    },
    events: (sinceId = 0, limit = 1000): StoredEvent[] =>
      all(SQL.events, sinceId, limit).map((r) => ({
        id: r.id as number,
        at: r.at as number,
        type: r.type as string,
        node: (r.node as string | null) ?? undefined,
        data: JSON.parse(r.data as string) as Record<string, unknown>,
      })),
    putNicObservation: (key, json) => void all(SQL.putObs, key, json),
    nicObservations: () => all(SQL.obs).map((r) => r.doc as string),
    cluster: (name) => doc<ClusterRecord>(SQL.cluster, name),
    clusters: () => docs<ClusterRecord>(SQL.clusters),
    putCluster,
    tx: (fn) => atomic(fn, true),
    close: () => conn.close(),
  };
}
