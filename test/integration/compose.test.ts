// What the composition root offers depends only on what it was given: without network boot there is no boot side,
// so the operator's reinstall is refused with its reason; with the boot side's machine records, the mark lands on
// the machine that PXE-booted with the device's serial, and is recorded as an event.

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { bootMachines } from '../../src/adapters/boot-machines.js';
import { SqliteBootStore } from '../../src/adapters/sqlite-boot-store.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { simDevice } from '../support/sim-fleet.js';

const auth = { authorization: 'Bearer test-access-token-0123456789' };
const MAC = '52:54:00:00:00:0a';

describe('compose', () => {
  let t: TestAppliance | undefined;
  afterEach(async () => t?.stop());

  const reinstall = async (app: TestAppliance) => {
    const d = simDevice(app, 'SN-A');
    await d.onboard();
    return app.app.operatorApi.inject({ method: 'POST', url: `/api/v1/devices/${d.uuid}/reinstall`, headers: auth });
  };

  it('without network boot: no netboot part, no site network, and a reinstall is a 409 saying why', async () => {
    t = await startTestAppliance();
    expect(t.app.netboot).toBeUndefined();
    const site = await t.app.operatorApi.inject({ url: '/api/v1/site', headers: auth });
    expect(site.json().network).toBeUndefined();
    const r = await reinstall(t);
    expect(r.statusCode).toBe(409);
    expect(r.body).toMatch(/EVEBOOT_ERR_CONFLICT.*network boot is not running on this appliance/);
  });

  it('with the boot side: the reinstall marks the machine with the device serial, and says so', async () => {
    const bootStore = new SqliteBootStore(new Database(':memory:'));
    bootStore.put({ mac: MAC, identity: { serial: 'SN-A', nics: [] }, firstSeen: 1, lastSeen: 1, reinstall: false });
    const marked: string[] = [];
    // The boot side's events go to a list here: what matters is that the mark lands in the machine record.
    t = await startTestAppliance({
      bootMachines: bootMachines(bootStore, { deviceByUuid: (u) => t!.app.store.deviceByUuid(u) }, (e) =>
        marked.push(e.type),
      ),
    });
    const r = await reinstall(t);
    expect(r.statusCode).toBe(200);
    expect(bootStore.machine(MAC)?.reinstall).toBe(true);
    expect(marked).toEqual(['boot.reinstall']);
  });
});
