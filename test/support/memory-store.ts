// The Store port in memory, for fast unit tests of its consumers (Controller, ClusterService, …). It passes the
// same contract as SQLite and PostgreSQL (test/adapters/store-contract.ts) and keeps their observable rules:
// records are JSON documents (a read is a copy, an `undefined` field is gone), devices are unique by UUID and
// device cert hash, lists come back in key order, tx rolls back every part on a throw (a nested tx alone), and
// nothing works after close. Only the tests use it: the appliance always runs on a real database.
import type {
  ClusterRecord,
  DeviceRecord,
  MachineRecord,
  ReportRecord,
  Store,
  StoredEvent,
} from '../../src/ports/store.js';

interface ReportRow {
  latest: string;
  count: number;
  bytes: number;
}

/** Every table as JSON text by key: a snapshot is a shallow copy of each map. */
interface Tables {
  devices: Map<string, string>;
  machines: Map<string, string>;
  reports: Map<string, ReportRow>;
  events: Map<number, string>;
  nicObs: Map<string, string>;
  clusters: Map<string, string>;
  nextEventId: number;
}

const copy = (t: Tables): Tables => ({
  devices: new Map(t.devices),
  machines: new Map(t.machines),
  reports: new Map([...t.reports].map(([k, r]) => [k, { ...r }])),
  events: new Map(t.events),
  nicObs: new Map(t.nicObs),
  clusters: new Map(t.clusters),
  nextEventId: t.nextEventId,
});

const parse = <T>(json: string | undefined): T | undefined =>
  json === undefined ? undefined : (JSON.parse(json) as T);

/** Compares as SQLite and PostgreSQL (C locale) compare TEXT: by code unit, so 'SN-B' sorts before 'sn-c'. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function inKeyOrder<V>(m: Map<string, V>): V[] {
  return [...m.keys()].sort(byText).map((k) => m.get(k)!);
}

const reportKey = (uuid: string, kind: string) => JSON.stringify([uuid, kind]);

export function memoryStore(): Store {
  let t: Tables = {
    devices: new Map(),
    machines: new Map(),
    reports: new Map(),
    events: new Map(),
    nicObs: new Map(),
    clusters: new Map(),
    nextEventId: 1,
  };
  let closed = false;
  const open = (): Tables => {
    if (closed) throw new Error('the memory store is closed');
    return t;
  };
  const deviceWhere = (pred: (d: DeviceRecord) => boolean) =>
    [...open().devices.values()].map((j) => JSON.parse(j) as DeviceRecord).find(pred);
  const saveDevice = (d: DeviceRecord, replacing?: string) => {
    const other = deviceWhere((x) => x.deviceCertHash === d.deviceCertHash && x.uuid !== replacing);
    if (other) throw new Error(`UNIQUE constraint failed: devices.cert_hash (${d.deviceCertHash})`);
    open().devices.set(d.uuid, JSON.stringify(d));
  };

  return {
    deviceByUuid: (uuid) => parse<DeviceRecord>(open().devices.get(uuid)),
    deviceByCertHash: (hash) => deviceWhere((d) => d.deviceCertHash === hash),
    deviceBySerial: (serial, soft) => deviceWhere((d) => d.serial === serial && d.softSerial === soft),
    devices: () =>
      [...open().devices.values()]
        .map((j) => JSON.parse(j) as DeviceRecord)
        .sort((a, b) => byText(a.serial, b.serial) || byText(a.softSerial, b.softSerial)),
    insertDevice: (d) => {
      if (open().devices.has(d.uuid)) throw new Error(`UNIQUE constraint failed: devices.uuid (${d.uuid})`);
      saveDevice(d);
    },
    updateDevice: (uuid, patch) => {
      const cur = parse<DeviceRecord>(open().devices.get(uuid));
      if (!cur) throw new Error(`no device ${uuid}`);
      saveDevice(JSON.parse(JSON.stringify({ ...cur, ...patch, uuid })) as DeviceRecord, uuid);
    },

    machine: (key) => parse<MachineRecord>(open().machines.get(key)),
    machines: () => inKeyOrder(open().machines).map((j) => JSON.parse(j) as MachineRecord),
    putMachine: (m) => void open().machines.set(m.key, JSON.stringify(m)),

    addReport: (r: ReportRecord) => {
      const key = reportKey(r.uuid, r.kind);
      const cur = open().reports.get(key);
      const latest = JSON.stringify({ uuid: r.uuid, kind: r.kind, at: r.at, bytes: r.bytes, json: r.json });
      open().reports.set(key, { latest, count: (cur?.count ?? 0) + 1, bytes: (cur?.bytes ?? 0) + r.bytes });
    },
    latestReports: (uuid) => reportsOf(open(), uuid).map(([, r]) => JSON.parse(r.latest) as ReportRecord),
    reportCounts: (uuid) =>
      Object.fromEntries(reportsOf(open(), uuid).map(([kind, r]) => [kind, { count: r.count, bytes: r.bytes }])),

    addEvent: (e) => {
      const tables = open();
      const id = tables.nextEventId++;
      tables.events.set(id, JSON.stringify({ at: e.at, type: e.type, node: e.node ?? null, data: e.data }));
      return { ...e, id };
    },
    events: (sinceId = 0, limit = 1000) =>
      [...open().events]
        .filter(([id]) => id > sinceId)
        .sort(([a], [b]) => a - b)
        .slice(0, limit)
        .map(([id, j]): StoredEvent => {
          const r = JSON.parse(j) as { at: number; type: string; node: string | null; data: Record<string, unknown> };
          return { id, at: r.at, type: r.type, node: r.node ?? undefined, data: r.data };
        }),

    putNicObservation: (key, json) => void open().nicObs.set(key, json),
    nicObservations: () => inKeyOrder(open().nicObs),

    cluster: (name) => parse<ClusterRecord>(open().clusters.get(name)),
    clusters: () => inKeyOrder(open().clusters).map((j) => JSON.parse(j) as ClusterRecord),
    putCluster: (c) => void open().clusters.set(c.name, JSON.stringify(c)),

    tx: <T>(fn: () => T): T => {
      const before = copy(open());
      try {
        const result = fn();
        // Both real stores refuse an async fn: its writes would land after the commit.
        if (result instanceof Promise) throw new TypeError('Store.tx needs a synchronous function');
        return result;
      } catch (e) {
        t = before;
        throw e;
      }
    },
    close: () => {
      closed = true;
    },
  };
}

/** [kind, row] of one device, by kind. */
function reportsOf(t: Tables, uuid: string): [string, ReportRow][] {
  return [...t.reports]
    .map(([k, r]): [string, string, ReportRow] => {
      const [u, kind] = JSON.parse(k) as [string, string];
      return [u, kind, r];
    })
    .filter(([u]) => u === uuid)
    .map(([, kind, r]): [string, ReportRow] => [kind, r])
    .sort(([a], [b]) => byText(a, b));
}

/**
 * A store whose `method` throws on its nth call (1-based) and works otherwise: a disk that fills up, a database
 * that drops the connection in the middle of an atomic section.
 */
export function failingOnCall(inner: Store, method: keyof Store, nth: number): Store {
  let calls = 0;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== method || typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (++calls === nth) throw new Error(`${String(method)} failed (call ${nth}, as the test asked)`);
        return v.apply(target, args);
      };
    },
  });
}
