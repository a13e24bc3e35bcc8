// Several appliance processes on one PostgreSQL database race, started together, to create the same clusters
// (token minted by the real ClusterService.ensure), register the same serials, plan and seal. Exactly one
// process wins each race, and every process comes away with the winner's token, device, plan and sealed block.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore } from '../../src/adapters/pg-store.js';
import { type PostgresServer, postgresPrereq, startPostgres } from '../support/postgres.js';
import { ROOT } from '../support/process.js';

const p = postgresPrereq('postgres store: processes racing on one database');
const PROCESSES = 3;
const ROUNDS = 25;

interface Round {
  i: number;
  id: string;
  token: string;
  uuid: string;
  created: boolean;
  plan: string;
  block: string;
  conflicts: number;
}

function racer(url: string, keyFile: string): { proc: ChildProcess; ready: Promise<void>; rounds: Promise<Round[]> } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'e2e', 'pg-racer.ts'), url, keyFile, `${ROUNDS}`],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const rounds = new Promise<Round[]>((resolve, reject) =>
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`racer exited ${code}: ${err}`));
      resolve(
        out
          .split('\n')
          .slice(1)
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Round),
      );
    }),
  );
  return { proc, ready, rounds };
}

describe.skipIf(!p.ok)('appliance processes sharing one PostgreSQL database', () => {
  let server: PostgresServer;
  let url: string;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('race');
  });
  afterAll(() => server?.stop());

  it('never gives a cluster two tokens or a node two registrations, plans or sealed blocks', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'eveboot-race-')), 'state.key');
    const racers = Array.from({ length: PROCESSES }, () => racer(url, keyFile));
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.proc.stdin!.end('go\n');
    const results = await Promise.all(racers.map((r) => r.rounds));

    for (let i = 0; i < ROUNDS; i++) {
      const seen = results.map((rounds) => rounds[i]!);
      const first = seen[0]!;
      for (const s of seen) {
        expect({ id: s.id, token: s.token, uuid: s.uuid, plan: s.plan, block: s.block }).toEqual({
          id: first.id,
          token: first.token,
          uuid: first.uuid,
          plan: first.plan,
          block: first.block,
        });
      }
      expect(seen.filter((s) => s.created)).toHaveLength(1);
    }

    const store = openPgStore(url);
    try {
      const created = store.events(0, 10_000).filter((e) => e.type === 'cluster.created');
      expect(created).toHaveLength(ROUNDS);
      expect(store.events(0, 10_000).filter((e) => e.type === 'eve.registered')).toHaveLength(ROUNDS);
      expect(store.devices()).toHaveLength(ROUNDS);
      for (let i = 0; i < ROUNDS; i++) {
        const c = store.cluster(`race-${i}`)!;
        expect([c.id, c.tokenCiphertext, c.plan]).toEqual([
          results[0]![i]!.id,
          results[0]![i]!.token,
          results[0]![i]!.plan,
        ]);
        expect(store.deviceBySerial(`RACE-${i}`, '')?.sealed?.block).toBe(results[0]![i]!.block);
      }
    } finally {
      store.close();
    }
    // How often a process lost a plan or seal race and retried (the guards at work), for the log.
    console.log(`lost races: ${results.flat().reduce((n, r) => n + r.conflicts, 0)}`);
  });
});
