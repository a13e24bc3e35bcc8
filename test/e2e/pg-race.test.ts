// Several real appliance processes (src/compose.ts: the real Controller and ClusterService) on one PostgreSQL
// database, started together, so each ensures the same clusters at start-up. Every simulated EVE node then
// registers through all of them at once, reports through all of them, and polls its config through all of them
// at once, which makes them race to plan each cluster and seal each node's token. The test proves the races
// happened (calls that overlapped in time, all but one of which lost) and that nobody won twice: one cluster
// row, token and plan per cluster, one registration, UUID and sealed block per node, and every process serves
// the same config to the same node.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { openPgStore } from '../../src/adapters/pg-store.js';
import { loadOrCreatePki } from '../../src/adapters/pki.js';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { CipherBlockSchema } from '../../src/gen/evecommon/acipherinfo_pb.js';
import { createDeviceIdentity } from '../../src/sim/device-identity.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { deviceInfo, hardwareInfo, standardNics } from '../../src/sim/sim-info.js';
import { type PostgresServer, postgresPrereq, startPostgres } from '../support/postgres.js';
import { ROOT } from '../support/process.js';

const p = postgresPrereq('postgres store: processes racing on one database');
const PROCESSES = 3;
const CLUSTERS = 4;
const serials = (c: number) => [1, 2, 3].map((n) => `RACE-${c}-${n}`);

interface Racer {
  proc: ChildProcess;
  ready: Promise<void>;
  up: Promise<{ server: string; startedAt: number; upAt: number }>;
}

function racer(url: string, stateDir: string, siteFile: string): Racer {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'e2e', 'pg-racer.ts'), url, stateDir, siteFile],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const lines = new Promise<string[]>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const l = out.split('\n');
      if (l.length >= 3) resolve(l);
    });
    proc.on('close', (code) => reject(new Error(`racer exited ${code}: ${err}`)));
  });
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', () => out.startsWith('ready\n') && resolve());
    proc.on('close', (code) => reject(new Error(`racer exited ${code}: ${err}`)));
  });
  return { proc, ready, up: lines.then((l) => JSON.parse(l[1]!)) };
}

/** Runs every call at once; returns their results and [start, end] times. */
async function together<T>(calls: (() => Promise<T>)[]): Promise<{ value: T; start: number; end: number }[]> {
  return Promise.all(
    calls.map(async (call) => {
      const start = performance.now();
      const value = await call();
      return { value, start, end: performance.now() };
    }),
  );
}
/** All calls were in flight at one moment: each but the winner lost a real race. */
const overlapped = (spans: { start: number; end: number }[]) =>
  Math.max(...spans.map((s) => s.start)) < Math.min(...spans.map((s) => s.end));

describe.skipIf(!p.ok)('appliance processes sharing one PostgreSQL database', () => {
  let server: PostgresServer;
  let url: string;
  const racers: Racer[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase('race');
  });
  afterAll(async () => {
    for (const r of racers) r.proc.stdin!.end();
    await Promise.all(
      racers.map((r) => new Promise((res) => (r.proc.exitCode !== null ? res(0) : r.proc.on('close', res)))),
    );
    server?.stop();
  });

  it('races happen, and no cluster gets two tokens nor a node two registrations, plans or sealed blocks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eveboot-race-'));
    const state = join(dir, 'state');
    const site = join(dir, 'site.yaml');
    const clusters = Array.from({ length: CLUSTERS }, (_, c) => c);
    writeFileSync(
      site,
      `site: { name: race }
clusters:
${clusters
  .map(
    (c) =>
      `  - { name: race-${c}, prefix: 10.210.${c}.0/28, nodes: [${serials(c)
        .map((s) => `{ serial: ${s}, clusterInterface: eth1 }`)
        .join(', ')}] }`,
  )
  .join('\n')}
listen: { advertise: 127.0.0.1 }
`,
    );
    // Shared PKI and state key, made before the race (one appliance's files, as on a shared state volume).
    const pki = await loadOrCreatePki(join(state, 'pki'), { site: 'race', sans: ['127.0.0.1'] });
    const box = openSecretBox(join(state, 'keys', 'state.key'));

    for (let i = 0; i < PROCESSES; i++) racers.push(racer(url, state, site));
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.proc.stdin!.write('go\n');
    const ups = await Promise.all(racers.map((r) => r.up));
    // Start-up (which ensures every cluster) overlapped in all processes.
    expect(overlapped(ups.map((u) => ({ start: u.startedAt, end: u.upAt })))).toBe(true);

    // One identity per node; one client per appliance process, all with that identity.
    const nodes = await Promise.all(
      clusters.flatMap((c) =>
        serials(c).map(async (serial) => {
          const tpm = createSoftTpm();
          const identity = await createDeviceIdentity(tpm);
          // One CONFIG per box: the same per-medium onboarding credential in every process's client.
          const credential = onboardIssuer(pki.root)({ kind: 'medium', medium: `race-${serial}` });
          const via = ups.map((u) => {
            const s = new SimDevice({
              server: u.server,
              rootCaPem: pki.root.certPem,
              onboarding: () => credential,
              serial,
              softSerial: '',
              tpm,
            });
            s.identity = identity;
            return s;
          });
          return { cluster: c, serial, via };
        }),
      ),
    );

    // Race 1: every node registers through every process at once.
    let lost = 0;
    for (const n of nodes) {
      const spans = await together(n.via.map((s) => () => s.onboard()));
      if (overlapped(spans)) lost += spans.length - 1;
      expect(new Set(n.via.map((s) => s.uuid)).size, `${n.serial}: one UUID from every process`).toBe(1);
    }
    // Attestation keeps a nonce per device: one process at a time, a different one per node.
    for (const [i, n] of nodes.entries()) {
      const s = n.via[i % PROCESSES]!;
      await s.attest();
      for (const o of n.via) o.integrityToken = s.integrityToken;
    }
    for (const [i, n] of nodes.entries()) {
      const nics = standardNics((i % 3) + 1);
      await together(n.via.map((s) => () => s.sendInfo(deviceInfo(n.serial, nics))));
      await together(n.via.map((s) => () => s.sendInfo(hardwareInfo(nics))));
    }
    // Race 2: every node of every cluster polls its config through every process at once: plan and seal race.
    const polls = await together(nodes.flatMap((n) => n.via.map((s) => () => s.pollConfig())));
    expect(polls.map((r) => r.value)).toEqual(polls.map(() => 200));
    if (overlapped(polls)) lost += polls.length - CLUSTERS;
    console.log(`pg race: ${PROCESSES} processes, ${nodes.length} nodes; calls that lost an overlapping race: ${lost}`);
    expect(lost).toBeGreaterThan(0);

    // Every process serves each node the same config, and the same token to a whole cluster.
    const tokens = new Map<number, Set<string>>();
    for (const n of nodes) {
      expect(new Set(n.via.map((s) => s.configHash)).size, `${n.serial}: one config from every process`).toBe(1);
      for (const s of n.via) {
        const set = tokens.get(n.cluster) ?? new Set();
        set.add(await s.clusterToken());
        tokens.set(n.cluster, set);
      }
    }

    const store = openPgStore(url);
    try {
      const events = store.events(0, 100_000);
      const count = (type: string, match: (d: Record<string, unknown>, node?: string) => boolean) =>
        events.filter((e) => e.type === type && match(e.data, e.node)).length;
      expect(
        store
          .clusters()
          .map((c) => c.name)
          .sort(),
      ).toEqual(clusters.map((c) => `race-${c}`));
      expect(store.devices()).toHaveLength(nodes.length);
      for (const c of clusters) {
        const row = store.cluster(`race-${c}`)!;
        expect(
          count('cluster.created', (d) => d.name === row.name),
          `${row.name} created once`,
        ).toBe(1);
        expect(
          count('cluster.planned', (d) => d.cluster === row.name),
          `${row.name} planned once`,
        ).toBe(1);
        expect(row.plan).not.toBe('');
        expect([...tokens.get(c)!], `${row.name}: one token`).toEqual([box.open(row.tokenCiphertext)]);
      }
      for (const n of nodes) {
        const d = store.deviceBySerial(n.serial, '')!;
        expect(
          count('eve.registered', (x) => x.serial === n.serial),
          `${n.serial} registered once`,
        ).toBe(1);
        expect(
          count('cluster.token.sealed', (_x, node) => node === d.uuid),
          `${n.serial} sealed once`,
        ).toBe(1);
        // The block every process served is the one stored (nobody sealed a second one and served it).
        for (const s of n.via) {
          const served = toBinary(CipherBlockSchema, s.config!.cluster!.encryptedClusterToken!);
          expect(Buffer.from(served).toString('base64'), `${n.serial}: served block is the stored one`).toBe(
            d.sealed?.block,
          );
        }
      }
    } finally {
      store.close();
    }
  }, 180_000);
});
