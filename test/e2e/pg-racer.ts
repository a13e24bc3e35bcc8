// One appliance process of pg-race.test.ts: `node --import tsx pg-racer.ts URL KEYFILE ROUNDS`. It opens the shared
// database, says "ready", waits for "go" on stdin so all racers start together, then for each round races the
// others to (1) ensure cluster race-N through the real ClusterService, (2) register serial RACE-N the way
// Controller.register does, (3) plan the cluster the way ClusterService.plan does today (read, then write
// outside a tx), (4) seal the token for the device the way sealedFor does. It prints one JSON line per round.
import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/adapters/open-store.js';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { systemClock, systemRandom } from '../../src/adapters/system.js';
import { ClusterService } from '../../src/core/cluster/cluster-service.js';
import { EvebootError } from '../../src/core/errors.js';
import type { DeviceRecord } from '../../src/ports/store.js';

const [url = '', keyFile = '', rounds = '10'] = process.argv.slice(2);
const store = openStore(url);
const me = `${process.pid}`;
const emit = (e: { type: string; node?: string; data: Record<string, unknown> }) =>
  store.addEvent({ at: systemClock.now(), ...e });
const clusters = new ClusterService({
  store,
  random: systemRandom,
  clock: systemClock,
  secrets: openSecretBox(keyFile),
  ecdhPrivate: new Uint8Array(32),
  ecdhCertHash: new Uint8Array(32),
  certsHash: '',
  settings: () => ({ specs: [], applianceSubnets: [] }),
  emit,
});

/** Retries what a node would retry: a request that lost a race with EVEBOOT_ERR_CONFLICT. */
function retried<T>(fn: () => T): { value: T; conflicts: number } {
  for (let conflicts = 0; ; conflicts++) {
    try {
      return { value: fn(), conflicts };
    } catch (e) {
      if (!(e instanceof EvebootError && e.code === 'EVEBOOT_ERR_CONFLICT') || conflicts > 5) throw e;
    }
  }
}

function register(serial: string): { uuid: string; created: boolean } {
  return store.tx(() => {
    const existing = store.deviceBySerial(serial, '');
    if (existing) return { uuid: existing.uuid, created: false };
    const d: DeviceRecord = {
      uuid: systemRandom.uuid(),
      serial,
      softSerial: '',
      deviceCertPem: '',
      deviceCertHash: `${serial}-${me}`,
      name: serial,
      cluster: '',
      onboardedAt: systemClock.now(),
      ecdhCertHash: 'ecdh',
    };
    store.insertDevice(d);
    emit({ type: 'eve.registered', node: d.uuid, data: { serial } });
    return { uuid: d.uuid, created: true };
  });
}

function plan(name: string): string {
  const c = store.cluster(name)!;
  if (c.plan) return c.plan;
  const mine = JSON.stringify({ seed: me, at: process.hrtime.bigint().toString() });
  store.putCluster({ ...c, plan: mine, state: 'planned' });
  return mine;
}

function seal(uuid: string): string {
  const d = store.deviceByUuid(uuid)!;
  if (d.sealed) return d.sealed.block;
  const block = randomBytes(16).toString('base64');
  store.updateDevice(uuid, { sealed: { ecdhCertHash: 'ecdh', context: me, block } });
  return block;
}

process.stdout.write('ready\n');
process.stdin.once('data', () => {
  for (let i = 0; i < Number(rounds); i++) {
    const c = clusters.ensure(`race-${i}`);
    const reg = register(`RACE-${i}`);
    const p = retried(() => plan(`race-${i}`));
    const s = retried(() => seal(reg.uuid));
    const line = { i, id: c.id, token: c.tokenCiphertext, ...reg, plan: p.value, block: s.value };
    process.stdout.write(`${JSON.stringify({ ...line, conflicts: p.conflicts + s.conflicts })}\n`);
  }
  store.close();
  process.exit(0);
});
