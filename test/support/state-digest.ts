// "No state changed" means every table, not one: a readable digest of every table in every SQLite database of a
// state dir (eveboot.db: devices, machines, reports, clusters with their plans, NIC sightings, events;
// station.db: boot machines and DHCP leases). Compare two digests with toEqual: the diff names table and row.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type StateDigest = Record<string, string[]>;

/** `<db file>/<table>` → its rows as JSON, sorted; `skip` names tables (e.g. 'eveboot.db/events') to leave out. */
export function stateDigest(stateDir: string, skip: string[] = []): StateDigest {
  const digest: StateDigest = {};
  for (const file of readdirSync(stateDir)
    .filter((f) => f.endsWith('.db'))
    .sort()) {
    const db = new Database(join(stateDir, file), { readonly: true, fileMustExist: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[];
      for (const { name } of tables) {
        const key = `${file}/${name}`;
        if (skip.includes(key)) continue;
        const rows = db.prepare(`SELECT * FROM "${name}"`).all();
        digest[key] = rows.map((r) => JSON.stringify(r)).sort();
      }
    } finally {
      db.close();
    }
  }
  return digest;
}
