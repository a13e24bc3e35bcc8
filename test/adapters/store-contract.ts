// The Store contract, run by store.test.ts against every implementation: SQLite, PostgreSQL (where initdb is
// installed) and the in-memory fake the unit tests of its consumers use (test/support/memory-store.ts).
import { expect, it } from 'vitest';
import type { ClusterRecord, DeviceRecord, MachineRecord, Store } from '../../src/ports/store.js';

export const device = (serial: string, over: Partial<DeviceRecord> = {}): DeviceRecord => ({
  uuid: `uuid-${serial}`,
  serial,
  softSerial: `soft-${serial}`,
  deviceCertPem: `pem-${serial}`,
  deviceCertHash: `hash-${serial}`,
  name: `node-${serial}`,
  cluster: 'line-1',
  onboardedAt: 1_760_000_000_000,
  ...over,
});

export const cluster = (name: string, over: Partial<ClusterRecord> = {}): ClusterRecord => ({
  id: `id-${name}`,
  name,
  tokenCiphertext: `v1.token-${name}`,
  plan: '',
  state: 'waiting-for-nodes',
  updatedAt: 1_760_000_000_001,
  ...over,
});

const machine = (key: string, decision: MachineRecord['decision']): MachineRecord => ({
  key,
  serial: key,
  softSerial: '',
  decision,
  firstSeen: 1_760_000_000_002,
  reason: 'listed',
});

/** Everything a store holds, as the port returns it: two stores given the same calls must dump the same. */
export function dump(s: Store, uuids: string[]): unknown {
  return {
    devices: s.devices(),
    machines: s.machines(),
    reports: uuids.map((u) => [s.latestReports(u), s.reportCounts(u)]),
    events: s.events(),
    obs: s.nicObservations(),
    clusters: s.clusters(),
  };
}

/** One scripted session of calls, the same for every store. */
export function exercise(s: Store): void {
  for (const serial of ['SN-B', 'SN-A', 'sn-c']) s.insertDevice(device(serial));
  s.updateDevice('uuid-SN-A', { nonce: 'ab', ecdhCertHash: 'e1' });
  s.updateDevice('uuid-SN-A', { nonce: undefined, attestedAt: 5, deviceCertHash: 'hash-A2' });
  s.putMachine(machine('SN-Z', 'pending'));
  s.putMachine(machine('SN-Y', 'approved'));
  s.putMachine(machine('SN-Z', 'rejected'));
  s.addReport({ uuid: 'uuid-SN-A', kind: 'info', at: 10, bytes: 100, json: '{"a":1}' });
  s.addReport({ uuid: 'uuid-SN-A', kind: 'info', at: 20, bytes: 50, json: '{"a":2}' });
  s.addReport({ uuid: 'uuid-SN-A', kind: 'hw', at: 30, bytes: 7, json: '{}' });
  s.addEvent({ at: 1_760_000_000_003, type: 'eve.registered', node: 'uuid-SN-A', data: { serial: 'SN-A' } });
  s.addEvent({ at: 1_760_000_000_004, type: 'cluster.created', data: { name: 'line-1' } });
  s.putNicObservation('dhcp/aa', '{"mac":"aa"}');
  s.putNicObservation('dhcp/00', '{"mac":"00"}');
  s.putNicObservation('dhcp/aa', '{"mac":"aa","ip":"10.0.0.2"}');
  s.putCluster(cluster('line-2'));
  s.putCluster(cluster('line-1'));
  s.putCluster({ ...cluster('line-1'), plan: '{"seed":"uuid-SN-A"}', state: 'planned' });
}

export function storeContract(open: () => Store): void {
  it('finds devices by uuid, cert hash and serial, and patches them', () => {
    const s = open();
    exercise(s);
    expect(s.deviceByUuid('uuid-SN-A')).toMatchObject({ ecdhCertHash: 'e1', attestedAt: 5 });
    expect(s.deviceByUuid('uuid-SN-A')?.nonce).toBeUndefined();
    expect(s.deviceByCertHash('hash-A2')?.uuid).toBe('uuid-SN-A');
    expect(s.deviceByCertHash('hash-SN-A')).toBeUndefined();
    expect(s.deviceBySerial('SN-B', 'soft-SN-B')?.uuid).toBe('uuid-SN-B');
    expect(s.deviceBySerial('SN-B', '')).toBeUndefined();
    expect(s.devices().map((d) => d.serial)).toEqual(['SN-A', 'SN-B', 'sn-c']);
    expect(() => s.updateDevice('nope', { name: 'x' })).toThrow(/no device nope/);
    expect(() => s.insertDevice(device('SN-B', { uuid: 'other' }))).toThrow();
  });

  it('keeps machines, the latest report of each kind with counters, events, NIC sightings and clusters', () => {
    const s = open();
    exercise(s);
    expect(s.machines().map((m) => [m.key, m.decision])).toEqual([
      ['SN-Y', 'approved'],
      ['SN-Z', 'rejected'],
    ]);
    expect(s.machine('nope')).toBeUndefined();
    expect(s.latestReports('uuid-SN-A').map((r) => [r.kind, r.at, r.json])).toEqual([
      ['hw', 30, '{}'],
      ['info', 20, '{"a":2}'],
    ]);
    expect(s.reportCounts('uuid-SN-A')).toEqual({ info: { count: 2, bytes: 150 }, hw: { count: 1, bytes: 7 } });
    const [first, second] = s.events();
    expect(first).toMatchObject({ type: 'eve.registered', node: 'uuid-SN-A', data: { serial: 'SN-A' } });
    expect(second?.node).toBeUndefined();
    expect(s.events(first!.id).map((e) => e.type)).toEqual(['cluster.created']);
    expect(s.events(0, 1)).toHaveLength(1);
    expect(s.addEvent({ at: 9, type: 'x', data: {} }).id).toBeGreaterThan(second!.id);
    expect(s.nicObservations()).toEqual(['{"mac":"00"}', '{"mac":"aa","ip":"10.0.0.2"}']);
    expect(s.cluster('line-1')).toEqual({ ...cluster('line-1'), plan: '{"seed":"uuid-SN-A"}', state: 'planned' });
    expect(s.clusters().map((c) => c.name)).toEqual(['line-1', 'line-2']);
    expect(s.cluster('nope')).toBeUndefined();
  });

  it('commits tx(fn) and returns its value, rolls it back when fn throws, nested ones alone', () => {
    const s = open();
    expect(
      s.tx(() => {
        s.putCluster(cluster('a'));
        return 42;
      }),
    ).toBe(42);
    expect(() =>
      s.tx(() => {
        s.insertDevice(device('SN-R'));
        s.putCluster(cluster('b'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(s.deviceBySerial('SN-R', 'soft-SN-R')).toBeUndefined();
    expect(s.cluster('b')).toBeUndefined();
    s.tx(() => {
      s.putMachine(machine('outer', 'approved'));
      expect(() =>
        s.tx(() => {
          s.putMachine(machine('inner', 'approved'));
          throw new Error('inner');
        }),
      ).toThrow('inner');
    });
    expect(s.machines().map((m) => m.key)).toEqual(['outer']);
  });

  it('refuses an async tx function: its writes would land after the commit', () => {
    const s = open();
    expect(() => s.tx(async () => undefined)).toThrow(TypeError);
  });

  it('hands out copies: changing a record it returned changes nothing stored', () => {
    const s = open();
    exercise(s);
    const d = s.deviceByUuid('uuid-SN-A')!;
    d.name = 'changed';
    s.clusters()[0]!.plan = 'changed';
    s.events()[0]!.data.serial = 'changed';
    expect(s.deviceByUuid('uuid-SN-A')?.name).toBe('node-SN-A');
    expect(s.cluster('line-1')?.plan).toBe('{"seed":"uuid-SN-A"}');
    expect(s.events()[0]?.data).toEqual({ serial: 'SN-A' });
  });

  it('keeps device cert hashes unique across inserts and updates', () => {
    const s = open();
    exercise(s);
    expect(() => s.insertDevice(device('SN-D', { deviceCertHash: 'hash-SN-B' }))).toThrow();
    expect(() => s.updateDevice('uuid-SN-A', { deviceCertHash: 'hash-SN-B' })).toThrow();
    expect(s.deviceByCertHash('hash-SN-B')?.uuid).toBe('uuid-SN-B');
    expect(s.deviceByUuid('uuid-SN-A')?.deviceCertHash).toBe('hash-A2');
    expect(s.deviceBySerial('SN-D', 'soft-SN-D')).toBeUndefined();
  });
}
