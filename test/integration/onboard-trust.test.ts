// Register admission with real certificates: per-machine/per-medium onboarding certs from the appliance CA, each
// good once; the old site-wide key and foreign CAs refused; a second claimant for a serial raises a held conflict
// that the operator resolves through the API (audited); a reinstall mark accepts exactly one new device cert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { loadOrCreatePki } from '../../src/adapters/pki.js';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { bootStub, startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const auth = { authorization: 'Bearer test-access-token-0123456789' };

describe('onboarding certs and second claimants', () => {
  let t: TestAppliance;
  /** The boot side's current install decision per MAC (its onboarding cert hash). */
  let grant: (mac: string) => string | undefined = () => undefined;
  const get = (url: string) => t.app.operatorApi.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, payload?: object) =>
    t.app.operatorApi.inject({ method: 'POST', url, headers: auth, payload: payload ?? {} });
  const withCred = (serial: string, cred: { certPem: string; keyPem: string }) =>
    new SimDevice({
      server: t.server,
      rootCaPem: t.app.pki.root.certPem,
      onboardCertPem: cred.certPem,
      onboardKeyPem: cred.keyPem,
      serial,
      softSerial: '',
      tpm: createSoftTpm(),
    });

  beforeAll(async () => {
    // The boot side's grant is this test's to set; the boot mark itself is tested in test/attack.
    t = await startTestAppliance({
      bootMachines: bootStub({ onboardGrant: (mac) => grant(mac), markReinstall: () => {} }),
    });
  });
  afterAll(async () => t?.stop());

  it('the site-wide onboarding key is no longer accepted', async () => {
    const { pki } = t.app;
    const d = withCred('SN-A', { certPem: pki.onboard.certPem, keyPem: pki.onboard.keyPem });
    await expect(d.onboard()).rejects.toThrow(/HTTP 401.*not bound to a machine or medium/);
  });

  it('an onboarding cert from another CA is refused', async () => {
    const other = await loadOrCreatePki(join(t.stateDir, 'other-pki'), { site: 'evil', sans: [] });
    const cred = await onboardIssuer(other.root)({ kind: 'medium', medium: 'evil' });
    await expect(withCred('SN-A', cred).onboard()).rejects.toThrow(/not issued by this appliance/);
  });

  it('a medium cert registers once; a second box with the same cert is refused', async () => {
    const cred = await t.app.issueOnboarding({ kind: 'medium', medium: 'stick-1' });
    const a = withCred('SN-A', cred);
    await a.onboard();
    expect(a.uuid).toBeDefined();
    await a.onboard(); // EVE retrying with the same device cert is the same device
    await expect(withCred('SN-B', cred).onboard()).rejects.toThrow(/already used \(device /);
  });

  it('an install cert names its MAC and serial and is refused for another serial or after a newer decision', async () => {
    const cred = await t.app.issueOnboarding({ kind: 'install', mac: '52:54:00:00:00:0b', serial: 'SN-B' });
    grant = (mac) => (mac === '52:54:00:00:00:0b' ? cred.certHash : undefined);
    await expect(withCred('SN-C', cred).onboard()).rejects.toThrow(/issued to serial SN-B, not SN-C/);
    grant = () => 'a-newer-decision';
    await expect(withCred('SN-B', cred).onboard()).rejects.toThrow(/not the one of the current install decision/);
    grant = (mac) => (mac === '52:54:00:00:00:0b' ? cred.certHash : undefined);
    const b = withCred('SN-B', cred);
    await b.onboard();
    expect(t.app.store.deviceByUuid(b.uuid!)).toMatchObject({
      bootMac: '52:54:00:00:00:0b',
      onboardCertHash: cred.certHash,
    });
  });

  it('a second claimant for a serial raises a conflict naming both; the operator keeps the incumbent', async () => {
    const a = t.app.store.deviceBySerial('SN-A', '')!;
    const claimant = simDevice(t, 'SN-A');
    claimant.opts.softSerial = '';
    await expect(claimant.onboard()).rejects.toThrow(/HTTP 409.*held until the operator resolves/);
    const conflicts = (await get('/api/v1/conflicts')).json() as Record<string, unknown>[];
    expect(conflicts).toEqual([
      expect.objectContaining({
        on: 'device',
        uuid: a.uuid,
        kind: 'serial-cert',
        subject: 'SN-A',
        claimants: [
          expect.objectContaining({ certFingerprint: a.deviceCertHash }),
          expect.objectContaining({ certFingerprint: expect.not.stringMatching(a.deviceCertHash) }),
        ],
      }),
    ]);
    const bad = await post(`/api/v1/devices/${a.uuid}/conflict`, { keep: 'someone-else' });
    expect(bad.statusCode).toBe(400);
    expect((await post(`/api/v1/devices/${a.uuid}/conflict`, { keep: 'current' })).json()).toMatchObject({
      outcome: 'kept the current device',
    });
    expect((await get('/api/v1/conflicts')).json()).toEqual([]);
    // The refused claimant retries: a plain 409, no new conflict.
    await expect(claimant.onboard()).rejects.toThrow(/refused by the operator/);
    expect((await get('/api/v1/conflicts')).json()).toEqual([]);
    const audit = readFileSync(join(t.stateDir, 'records.jsonl'), 'utf8');
    expect(audit).toMatch(/"action":"resolve-conflict".*"keep":"current"/);
    const types = ((await get('/api/v1/events')).json() as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['trust.conflict', 'operator.resolve']));
  });

  it('the operator can choose the claimant instead; the incumbent goes to the history', async () => {
    const b = t.app.store.deviceBySerial('SN-B', '')!;
    const claimant = withCred('SN-B', await t.app.issueOnboarding({ kind: 'medium', medium: 'stick-2' }));
    await expect(claimant.onboard()).rejects.toThrow(/HTTP 409/);
    const held = t.app.store.deviceByUuid(b.uuid)!;
    const fp = held.hold!.claimants[1].certFingerprint!;
    expect((await post(`/api/v1/devices/${b.uuid}/conflict`, { keep: fp })).statusCode).toBe(200);
    await claimant.onboard();
    const now = t.app.store.deviceByUuid(b.uuid)!;
    expect(now.deviceCertHash).toBe(fp);
    expect(now.history).toEqual([
      expect.objectContaining({ deviceCertHash: b.deviceCertHash, why: 'chosen by the operator in a conflict' }),
    ]);
  });

  it('after a reinstall mark one new device cert is accepted for the serial, once', async () => {
    const c = simDevice(t, 'SN-C');
    c.opts.softSerial = '';
    await c.onboard();
    const before = t.app.store.deviceByUuid(c.uuid!)!;
    expect((await post(`/api/v1/devices/${c.uuid}/reinstall`)).statusCode).toBe(200);
    const fresh = simDevice(t, 'SN-C');
    fresh.opts.softSerial = '';
    await fresh.onboard();
    expect(fresh.uuid).toBe(c.uuid);
    const after = t.app.store.deviceByUuid(c.uuid!)!;
    expect(after.deviceCertHash).not.toBe(before.deviceCertHash);
    expect(after.history).toEqual([
      expect.objectContaining({ deviceCertHash: before.deviceCertHash, why: 'reinstall marked by the operator' }),
    ]);
    expect(after.sealed).toBeUndefined();
    const third = simDevice(t, 'SN-C');
    third.opts.softSerial = '';
    await expect(third.onboard()).rejects.toThrow(/HTTP 409/);
  });

  it('nothing is sealed for a held device while the others of its cluster are', async () => {
    const t2 = await startTestAppliance();
    try {
      const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t2, s));
      for (const d of devices) d.opts.softSerial = '';
      // SN-C gets a second claimant before the cluster is planned: held.
      await devices[2]!.onboard();
      const rival = simDevice(t2, 'SN-C');
      rival.opts.softSerial = '';
      await expect(rival.onboard()).rejects.toThrow(/HTTP 409/);
      await onboardFleet(t2, devices);
      for (const d of devices) await d.pollConfig();
      expect(devices.map((d) => d.config?.cluster !== undefined)).toEqual([true, true, false]);
      expect(t2.app.store.deviceBySerial('SN-C', '')!.sealed).toBeUndefined();
      const uuid = devices[2]!.uuid!;
      const ok = await t2.app.operatorApi.inject({
        method: 'POST',
        url: `/api/v1/devices/${uuid}/conflict`,
        headers: auth,
        payload: { keep: 'current' },
      });
      expect(ok.statusCode).toBe(200);
      await devices[2]!.pollConfig();
      expect(devices[2]!.config?.cluster).toBeDefined();
    } finally {
      await t2.stop();
    }
  });
});
