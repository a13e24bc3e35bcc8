// The Store port's one contract (store-contract.ts) against each implementation: SQLite, the in-memory fake of
// the unit tests, and PostgreSQL on a real server (test/support/postgres.ts, skipped and said so without initdb).
// Then what PostgreSQL adds: identical results and schema to SQLite, persistence across a reopen, and the
// write-once rules for shared databases.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, redactStoreUrl, sqlitePath, storeKind } from '../../src/adapters/open-store.js';
import { openPgStore } from '../../src/adapters/pg-store.js';
import type { Store } from '../../src/ports/store.js';
import { memoryStore } from '../support/memory-store.js';
import { type PostgresServer, postgresPrereq, startPostgres } from '../support/postgres.js';
import { cluster, device, dump, exercise, storeContract } from './store-contract.js';

const p = postgresPrereq('postgres store');
const opened: Store[] = [];
const keep = <S extends Store>(s: S): S => {
  opened.push(s);
  return s;
};
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'eveboot-store-')), 'eveboot.db');

describe('openStore', () => {
  it('picks the store by URL and never prints a password', () => {
    expect(storeKind('postgresql://u:p@db/eveboot')).toBe('postgres');
    expect(storeKind('postgres://db/eveboot')).toBe('postgres');
    expect(storeKind('sqlite:/var/lib/eveboot/eveboot.db')).toBe('sqlite');
    expect(sqlitePath('sqlite:///var/x.db')).toBe('/var/x.db');
    expect(sqlitePath('sqlite:x.db')).toBe('x.db');
    expect(sqlitePath('/var/x.db')).toBe('/var/x.db');
    expect(redactStoreUrl('postgresql://line:s3cret@db:5432/eveboot')).toBe('postgresql://line:***@db:5432/eveboot');
    expect(keep(openStore(`sqlite:${tempDb()}`)).kind).toBe('sqlite');
  });

  it('fails fast, naming the server but not the password, when PostgreSQL is not there', () => {
    expect(() => openStore('postgresql://line:s3cret@127.0.0.1:1/eveboot')).toThrow(
      /cannot open the PostgreSQL store postgresql:\/\/line:\*\*\*@127\.0\.0\.1:1\/eveboot: .*ECONNREFUSED/,
    );
  });
});

describe('SQLite store contract', () => {
  storeContract(() => keep(openStore(tempDb())));
});

describe('in-memory store contract', () => {
  storeContract(() => keep(memoryStore()));

  it('returns exactly what SQLite returns for the same calls', () => {
    const sqlite = keep(openStore(tempDb()));
    const memory = keep(memoryStore());
    exercise(sqlite);
    exercise(memory);
    const uuids = ['uuid-SN-A', 'uuid-SN-B'];
    expect(dump(memory, uuids)).toEqual(dump(sqlite, uuids));
  });
});

describe.skipIf(!p.ok)('PostgreSQL store', () => {
  let server: PostgresServer;
  let n = 0;
  // One fresh database per store: createDatabase is async, so tests ask for URLs made in beforeAll.
  const urls: string[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    for (let i = 0; i < 16; i++) urls.push(await server.createDatabase(`store_${i}`));
  });
  afterAll(() => server?.stop());
  const fresh = () => urls[n++]!;

  describe('contract', () => {
    storeContract(() => keep(openStore(fresh())));
  });

  it('returns exactly what SQLite returns for the same calls', () => {
    const sqlite = keep(openStore(tempDb()));
    const postgres = keep(openStore(fresh()));
    exercise(sqlite);
    exercise(postgres);
    const uuids = ['uuid-SN-A', 'uuid-SN-B'];
    expect(dump(postgres, uuids)).toEqual(dump(sqlite, uuids));
  });

  it('has the same tables and columns as SQLite, and a schema_version row', async () => {
    const path = tempDb();
    keep(openStore(path));
    const lite = new Database(path, { readonly: true });
    const tables = ['devices', 'machines', 'reports', 'events', 'nic_obs', 'clusters'];
    const liteCols = tables.map((t) =>
      (lite.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name),
    );
    lite.close();
    const url = fresh();
    keep(openStore(url));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const cols = async (t: string) =>
      (
        await c.query(
          'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
          [t],
        )
      ).rows.map((r) => r.column_name as string);
    const pgCols: string[][] = [];
    for (const t of tables) pgCols.push(await cols(t));
    expect(pgCols).toEqual(liteCols);
    expect((await c.query('SELECT version FROM schema_version')).rows).toEqual([{ version: 1 }]);
    await c.end();
  });

  it('keeps everything across a close and reopen', () => {
    const url = fresh();
    const first = openPgStore(url);
    exercise(first);
    const before = dump(first, ['uuid-SN-A']);
    first.close();
    expect(dump(keep(openPgStore(url)), ['uuid-SN-A'])).toEqual(before);
  });

  it('refuses a second token, a second plan or a second sealed block for the same cluster or device', () => {
    const s = keep(openPgStore(fresh()));
    s.putCluster(cluster('line-1'));
    const conflict = /EVEBOOT_ERR_CONFLICT|another eveboot process/;
    const c = s.cluster('line-1')!;
    expect(() => s.putCluster({ ...c, tokenCiphertext: 'v1.other' })).toThrow(conflict);
    s.putCluster({ ...c, plan: '{"seed":"a"}' });
    expect(() => s.putCluster({ ...c, plan: '{"seed":"b"}' })).toThrow(/different plan/);
    // A stale copy read before the plan was made must not erase it; the operator's override (a tx) may.
    expect(() => s.putCluster({ ...c, planStatus: 'waiting for nodes' })).toThrow(/plan was made meanwhile/);
    s.tx(() => s.putCluster({ ...c, planStatus: 'replanning with operator overrides' }));
    s.putCluster({ ...c, plan: '{"seed":"b"}', configsOut: true });
    expect(() => s.putCluster({ ...c, plan: '{"seed":"b"}' })).toThrow(/configs went out/);
    expect(s.cluster('line-1')).toMatchObject({ plan: '{"seed":"b"}', configsOut: true });

    s.insertDevice(device('SN-A'));
    const sealed = { ecdhCertHash: 'e1', context: 'c1', block: 'b1' };
    s.updateDevice('uuid-SN-A', { sealed });
    s.updateDevice('uuid-SN-A', { sealed });
    expect(() => s.updateDevice('uuid-SN-A', { sealed: { ...sealed, block: 'b2' } })).toThrow(/already sealed/);
    s.updateDevice('uuid-SN-A', { sealed: { ecdhCertHash: 'e2', context: 'c2', block: 'b2' } });
    expect(() => s.insertDevice(device('SN-A', { uuid: 'u2', deviceCertHash: 'h2' }))).toThrow(/already registered/);
  });
});
