import { describe, expect, it } from 'vitest';
import { LeaseTable, type PoolConfig } from '../../../src/core/dhcp/lease.js';

const pool: PoolConfig = {
  start: '10.0.0.10',
  end: '10.0.0.12',
  subnetMask: '255.255.255.0',
  leaseSeconds: 60,
  pxeLeaseSeconds: 30,
  reservations: { '02-00-00-00-00-99': '10.0.0.11' },
};

describe('LeaseTable', () => {
  it('skips reserved addresses for other MACs when allocating', () => {
    const t = new LeaseTable(pool);
    t.apply({ op: 'bind', lease: { ip: '10.0.0.10', mac: '02:00:00:00:00:01', state: 'bound', expiresAt: 100 } });
    expect(t.pick('02:00:00:00:00:02', undefined, 0)).toBe('10.0.0.12');
  });

  it('honours a requested free address', () => {
    expect(new LeaseTable(pool).pick('02:00:00:00:00:02', '10.0.0.12', 0)).toBe('10.0.0.12');
  });

  it('re-offers a MAC its previous, expired address', () => {
    const t = new LeaseTable(pool);
    t.apply({ op: 'bind', lease: { ip: '10.0.0.12', mac: '02:00:00:00:00:01', state: 'bound', expiresAt: 100 } });
    expect(t.pick('02:00:00:00:00:01', undefined, 500)).toBe('10.0.0.12');
  });

  it('reuses the longest-expired address when none was ever free', () => {
    const t = new LeaseTable({ ...pool, reservations: {} });
    t.apply({ op: 'bind', lease: { ip: '10.0.0.10', mac: '02:00:00:00:00:01', state: 'bound', expiresAt: 300 } });
    t.apply({ op: 'bind', lease: { ip: '10.0.0.11', mac: '02:00:00:00:00:02', state: 'bound', expiresAt: 100 } });
    t.apply({ op: 'bind', lease: { ip: '10.0.0.12', mac: '02:00:00:00:00:03', state: 'bound', expiresAt: 200 } });
    expect(t.pick('02:00:00:00:00:04', undefined, 50)).toBeUndefined();
    expect(t.pick('02:00:00:00:00:04', undefined, 1000)).toBe('10.0.0.11');
  });

  it('rejects a reservation key that is not a MAC', () => {
    expect(() => new LeaseTable({ ...pool, reservations: { nope: '10.0.0.11' } })).toThrow(/not a MAC/);
  });

  it('loads persisted leases', () => {
    const t = new LeaseTable(pool, [{ ip: '10.0.0.10', mac: '02:00:00:00:00:01', state: 'bound', expiresAt: 100 }]);
    expect(t.activeOf('02:00:00:00:00:01', 50)?.ip).toBe('10.0.0.10');
    expect(t.activeOf('02:00:00:00:00:01', 150)).toBeUndefined();
  });
});
