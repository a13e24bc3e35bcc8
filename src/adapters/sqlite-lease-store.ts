// LeaseStore on better-sqlite3: one table, dhcp_leases, keyed by address. The caller owns the Database.
import type { Database, Statement } from 'better-sqlite3';
import type { Lease, LeaseState } from '../core/dhcp/lease.js';
import type { LeaseStore } from '../ports/lease-store.js';

interface Row {
  ip: string;
  mac: string;
  state: LeaseState;
  expires_at: number;
  hostname: string | null;
}

export class SqliteLeaseStore implements LeaseStore {
  private readonly selectAll: Statement<[], Row>;
  private readonly upsert: Statement<[Row]>;

  constructor(db: Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS dhcp_leases (
      ip TEXT PRIMARY KEY,
      mac TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('offered', 'bound', 'declined')),
      expires_at INTEGER NOT NULL,
      hostname TEXT
    )`);
    this.selectAll = db.prepare<[], Row>('SELECT ip, mac, state, expires_at, hostname FROM dhcp_leases ORDER BY ip');
    this.upsert = db.prepare<[Row]>(
      `INSERT INTO dhcp_leases (ip, mac, state, expires_at, hostname) VALUES (@ip, @mac, @state, @expires_at, @hostname)
       ON CONFLICT(ip) DO UPDATE SET mac = excluded.mac, state = excluded.state, expires_at = excluded.expires_at,
       hostname = excluded.hostname`,
    );
  }

  load(): Lease[] {
    return this.selectAll.all().map((r) => {
      const lease: Lease = { ip: r.ip, mac: r.mac, state: r.state, expiresAt: r.expires_at };
      if (r.hostname !== null) lease.hostname = r.hostname;
      return lease;
    });
  }

  save(l: Lease): void {
    this.upsert.run({ ip: l.ip, mac: l.mac, state: l.state, expires_at: l.expiresAt, hostname: l.hostname ?? null });
  }
}
