// The real appliance on PostgreSQL: three simulated EVE nodes onboard, attest, report and receive their cluster
// config with the sealed token; then a second appliance (same PKI and state key, another process's view) opens
// the same database and serves the very same plan and sealed blocks, with no second cluster or token.
import { join } from 'node:path';
import { toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { EdgeDevConfigSchema } from '../../src/gen/config/devconfig_pb.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { type PostgresServer, postgresPrereq, startPostgres } from '../support/postgres.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const db = { url: '' };

const p = postgresPrereq('postgres store: the appliance end to end');

describe.skipIf(!p.ok)('the appliance on a PostgreSQL state store', () => {
  let server: PostgresServer;
  let a: TestAppliance;
  let b: TestAppliance | undefined;
  let devices: SimDevice[];

  beforeAll(async () => {
    server = await startPostgres();
    db.url = await server.createDatabase('appliance');
    a = await startTestAppliance({ stateUrl: db.url });
    devices = ['SN-A', 'SN-B', 'SN-C'].map((serial) => simDevice(a, serial));
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    server?.stop();
  });

  it('onboards three nodes and delivers each its config with the sealed cluster token', async () => {
    expect(db.url).toMatch(/^postgresql:/);
    await onboardFleet(a, devices);
    const minted = openSecretBox(join(a.stateDir, 'keys', 'state.key')).open(
      a.app.store.cluster('test-cluster')!.tokenCiphertext,
    );
    for (const d of devices) {
      expect(await d.pollConfig()).toBe(200);
      expect(await d.clusterToken()).toBe(minted);
      expect(await d.pollConfig()).toBe(304);
    }
    expect(a.app.store.cluster('test-cluster')).toMatchObject({ state: 'configs-delivered', configsOut: true });
  });

  it('a second appliance on the same database serves the same plan and sealed blocks', async () => {
    const before = a.app.store.cluster('test-cluster')!;
    b = await startTestAppliance({ stateDir: a.stateDir, stateUrl: db.url });
    const same = ({ id, name, tokenCiphertext, plan, configsOut }: typeof before) => [
      id,
      name,
      tokenCiphertext,
      plan,
      configsOut,
    ];
    expect(b.app.store.clusters().map(same)).toEqual([same(before)]);
    for (const d of devices) {
      const record = b.app.store.deviceByUuid(d.uuid!)!;
      const fromB = toBinary(EdgeDevConfigSchema, b.app.cluster.configFor(record));
      const fromA = toBinary(EdgeDevConfigSchema, a.app.cluster.configFor(a.app.store.deviceByUuid(d.uuid!)!));
      expect(Buffer.from(fromB)).toEqual(Buffer.from(fromA));
      expect(record.sealed).toEqual(a.app.store.deviceByUuid(d.uuid!)!.sealed);
    }
    expect(b.app.store.events(0, 10_000).filter((e) => e.type === 'cluster.created')).toHaveLength(1);
    expect(b.app.store.events(0, 10_000).filter((e) => e.type === 'cluster.token.sealed')).toHaveLength(3);
  });
});
