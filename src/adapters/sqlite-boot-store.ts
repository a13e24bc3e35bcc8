// BootStore on better-sqlite3: one table, boot_machines, keyed by MAC, a JSON document per row.
// The caller owns the Database (the appliance store's `.db`), like sqlite-lease-store.ts.
import type { Database, Statement } from 'better-sqlite3';
import type { BootMachine, BootStore } from '../ports/boot-store.js';

export class SqliteBootStore implements BootStore {
  private readonly one: Statement<[string], { doc: string }>;
  private readonly all: Statement<[], { doc: string }>;
  private readonly upsert: Statement<[string, string]>;
  private readonly del: Statement<[string]>;

  constructor(db: Database) {
    db.exec('CREATE TABLE IF NOT EXISTS boot_machines (mac TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    this.one = db.prepare('SELECT doc FROM boot_machines WHERE mac = ?');
    this.all = db.prepare('SELECT doc FROM boot_machines ORDER BY mac');
    this.del = db.prepare('DELETE FROM boot_machines WHERE mac = ?');
    this.upsert = db.prepare(
      'INSERT INTO boot_machines (mac, doc) VALUES (?, ?) ON CONFLICT(mac) DO UPDATE SET doc = excluded.doc',
    );
  }

  machine(mac: string): BootMachine | undefined {
    const row = this.one.get(mac);
    return row ? (JSON.parse(row.doc) as BootMachine) : undefined;
  }

  machines(): BootMachine[] {
    return this.all.all().map((r) => JSON.parse(r.doc) as BootMachine);
  }

  put(m: BootMachine): void {
    this.upsert.run(m.mac, JSON.stringify(m));
  }

  remove(mac: string): void {
    this.del.run(mac);
  }
}

/** In-memory BootStore for tests and the demo. */
export class MemoryBootStore implements BootStore {
  private readonly rows = new Map<string, BootMachine>();
  machine(mac: string): BootMachine | undefined {
    const m = this.rows.get(mac);
    return m ? structuredClone(m) : undefined;
  }
  machines(): BootMachine[] {
    return [...this.rows.values()].sort((a, b) => a.mac.localeCompare(b.mac)).map((m) => structuredClone(m));
  }
  put(m: BootMachine): void {
    this.rows.set(m.mac, structuredClone(m));
  }
  remove(mac: string): void {
    this.rows.delete(mac);
  }
}
