// The event log is the one owner of events: it stores them, derives the cluster's state from them (nothing else
// writes ClusterRecord.state), replays them after a restart, and a consumer that throws never reaches the emitter.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventLog } from '../../src/adapters/event-log.js';
import { createLogger } from '../../src/adapters/logger.js';
import { openStore } from '../../src/adapters/open-store.js';
import { publishAfterCommit } from '../../src/adapters/publish-after-commit.js';
import type { RecordLog } from '../../src/adapters/record-log.js';
import { ProgressHub } from '../../src/core/progress/hub.js';
import type { ApplianceEvent } from '../../src/ports/events.js';
import type { Store } from '../../src/ports/store.js';

const NODES = ['u-1', 'u-2', 'u-3'];
const planned: ApplianceEvent = {
  type: 'cluster.planned',
  data: {
    cluster: 'c1',
    id: 'id-1',
    prefix: '10.0.0.0/28',
    seed: 'u-1',
    why: 'lowest serial',
    nodes: NODES.map((uuid, i) => ({ uuid, name: `n${i}`, ip: `10.0.0.${i + 2}`, role: i ? 'joiner' : 'seed' })),
    missingEvidence: [],
  },
};

describe('event log', () => {
  const opened: Store[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });
  const open = (dir = mkdtempSync(join(tmpdir(), 'eveboot-events-'))) => {
    const raw = openStore(join(dir, 'eveboot.db'));
    opened.push(raw);
    const { store, publish } = publishAfterCommit(raw);
    const records: unknown[] = [];
    const recordLog: RecordLog = { append: (r) => records.push(r), audit: (a) => records.push(a) };
    const hub = new ProgressHub(0, [], ['c1']);
    let now = 1000;
    const log = openEventLog({
      store,
      publish,
      hub,
      clock: { now: () => now++ },
      logger: createLogger({ level: 'silent' }),
      records: recordLog,
      station: 'test',
    });
    return { dir, store, hub, log };
  };
  const withCluster = (store: Store) =>
    store.putCluster({
      id: 'id-1',
      name: 'c1',
      tokenCiphertext: 'x',
      plan: '',
      state: 'waiting-for-nodes',
      updatedAt: 0,
    });

  it('derives ClusterRecord.state from the events, and a restart replays the same picture', () => {
    const a = open();
    withCluster(a.store);
    a.log.emit(planned);
    expect(a.store.cluster('c1')!.state).toBe('planned');
    a.log.emit({ type: 'cluster.plan.status', data: { cluster: 'c1', status: 'cannot plan the cluster: no NIC' } });
    expect(a.store.cluster('c1')!.state).toBe('failed');
    const b = open(a.dir);
    expect(b.hub.snapshot(2000).clusters[0]).toMatchObject({ cluster: 'c1', kind: 'failed' });
  });

  it('an event inside a transaction reaches the live stream only after the commit', () => {
    const { store, log } = open();
    const seen: string[] = [];
    log.live.on('event', (e) => seen.push(e.type));
    store.tx(() => {
      log.emit({ type: 'network.warning', data: { message: 'inside' } });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['network.warning']);
  });

  it('a live listener that throws fails neither the emitter nor the listeners after it', () => {
    const { store, log } = open();
    const seen: string[] = [];
    log.live.on('event', () => {
      throw new Error('broken UI client');
    });
    log.live.on('event', (e) => seen.push(e.type));
    log.live.on('delta', () => {
      throw new Error('broken delta client');
    });
    expect(() => log.emit({ type: 'network.warning', data: { message: 'still stored' } })).not.toThrow();
    expect(seen).toEqual(['network.warning']);
    expect(store.events(0, 10).map((e) => e.type)).toEqual(['network.warning']);
  });
});
