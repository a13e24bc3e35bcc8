// The conflicts panel in headless Chromium against a real appliance: a second claimant registers a serial with
// another device cert, the open page shows the conflict live with both claimants (serial, cert fingerprints,
// first seen), and the operator's choice, made with the page's buttons, goes through the operator API: the
// conflict is gone, the choice is audited, and the chosen claimant onboards.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAppliance } from '../support/appliance.js';
import { simDevice } from '../support/sim-fleet.js';
import { startUiAppliance, type UiBrowser, uiPrereq } from './ui-browser.js';

const TOKEN = 'test-access-token-0123456789';
const p = uiPrereq();

describe.skipIf(!p.ok)('operator UI: the conflicts panel', () => {
  let t: TestAppliance;
  let ui: UiBrowser;
  let base: string;
  const conflicts = async () =>
    (
      await t.app.operatorApi.inject({ url: '/api/v1/conflicts', headers: { authorization: `Bearer ${TOKEN}` } })
    ).json() as { uuid: string; claimants: { certFingerprint: string }[] }[];

  beforeAll(async () => {
    ({ t, ui, base } = await startUiAppliance());
  });
  afterAll(async () => {
    await ui?.close();
    await t?.stop();
  });

  it('a second claimant for a serial appears live with both claimants; the operator accepts it from the page', async () => {
    const incumbent = simDevice(t, 'SN-A');
    incumbent.opts.softSerial = '';
    await incumbent.onboard();
    const { page, errors } = await ui.open(`${base}/?access_token=${TOKEN}`);
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.locator('#conflicts').isHidden()).toBe(true);

    const claimant = simDevice(t, 'SN-A');
    claimant.opts.softSerial = '';
    await expect(claimant.onboard()).rejects.toThrow(/HTTP 409/);
    const [open] = await conflicts();
    const [current, newcomer] = open!.claimants.map((c) => c.certFingerprint);

    const panel = page.locator('#conflicts');
    await panel.locator('li.conflict').waitFor();
    await expect(panel.locator('#conflicts-heading').textContent()).resolves.toBe('Conflicts: 1 held for your choice');
    const item = panel.locator('li.conflict', { hasText: 'Serial SN-A: registered again with another device cert' });
    const rows = item.locator('tbody tr');
    await expect(rows.nth(0).locator('th').textContent()).resolves.toBe('Current');
    await expect(rows.nth(0).locator('td.hash').getAttribute('title')).resolves.toBe(current);
    await expect(rows.nth(1).locator('td.hash').getAttribute('title')).resolves.toBe(newcomer);
    await expect(rows.nth(1).locator('td').nth(2).textContent()).resolves.toBe('SN-A');
    await expect(rows.nth(1).locator('time').getAttribute('datetime')).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    await ui.shot(page, 'ui-conflict-open');

    await item.getByRole('button', { name: /^Accept the newcomer \(cert / }).click();
    await page.locator('#conflict-result', { hasText: `accepts the claimant's device cert ${newcomer}` }).waitFor();
    await expect(panel.locator('li.conflict').count()).resolves.toBe(0);
    await ui.shot(page, 'ui-conflict-resolved');
    expect(await conflicts()).toEqual([]);
    expect(readFileSync(join(t.stateDir, 'records.jsonl'), 'utf8')).toMatch(
      /"action":"resolve-conflict","on":"device".*"keep":"[0-9a-f]{64}"/,
    );
    // The page's POST carried the cookie from its own origin; the chosen claimant now onboards.
    await claimant.onboard();
    expect(t.app.store.deviceBySerial('SN-A', '')?.deviceCertHash).toBe(newcomer);
    expect(errors).toEqual([]);
  });
});
