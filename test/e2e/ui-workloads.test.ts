// The Workloads panel in headless Chromium, following a manual move end to end against a real appliance: three
// simulated EVE nodes onboard over the real protocol, the cluster becomes Ready, the workloads go into their
// configs, and every app status reaches the appliance as a signed ZInfoApp built as zedagent builds it
// (src/sim/workload-info.ts) — nothing is written to the store by the test. The panel shows the app waiting, then
// running on node-a; the operator moves it to node-b from the page and sees the pending explanation; when the VM
// is recreated on node-b (a drain of node-a: node-b reports it running), the panel shows node-b with the move in
// its history, and the node cards list it where it runs.
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { FAILOVER_SITE, startWorkloadSite, type WorkloadSite } from '../support/workload-site.js';
import { launchUi, type UiBrowser, uiPrereq } from './ui-browser.js';

const TOKEN = 'test-access-token-0123456789';
const p = uiPrereq();

describe.skipIf(!p.ok)('Workloads panel in headless Chromium', () => {
  let site: WorkloadSite;
  let t: WorkloadSite['t'];
  let ui: UiBrowser;
  let base: string;
  let devices: SimDevice[];
  const row = (page: Page, app: string) => page.locator(`article.app[data-app="${app}"]`);
  const card = (page: Page, name: string) =>
    page.locator('article.card', { has: page.locator('h3', { hasText: new RegExp(`^${name}$`) }) });

  beforeAll(async () => {
    site = await startWorkloadSite();
    ({ t, devices } = site);
    await t.app.operatorApi.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.operatorApi.server.address() as AddressInfo).port}`;
    ui = await launchUi();
  });
  afterAll(async () => {
    await ui?.close();
    await t?.stop();
  });

  it('shows the apps waiting for Ready, then running on node-a, and follows a move to node-b', async () => {
    const { page, errors } = await ui.open(`${base}/?access_token=${TOKEN}`);
    await page.locator('#live-state[data-state="live"]').waitFor();
    // Before Ready nothing is sent: the panel says so for every app.
    await row(page, 'vm').locator('.app-note.waiting', { hasText: 'Waiting for cluster Ready' }).waitFor();
    expect(await page.locator('section.workloads .app-note.waiting').first().textContent()).toContain('Not deployed');
    await ui.shot(page, 'ui-workloads-waiting');

    // Ready (the readiness watcher's verdict), then each node's next config poll carries the workloads.
    await site.ready();
    expect(devices[0]!.config?.apps.map((a) => a.displayname).sort()).toEqual(['pinned', 'vm']);
    await row(page, 'vm').locator('.app-note.detail', { hasText: 'no ZInfoApp yet' }).waitFor();
    // The designated node downloads the VM disk and reports its progress.
    await site.reportDownload(devices[0]!, 'vm', 40);
    const bar = row(page, 'vm').locator('.app-download progress');
    await expect.poll(() => bar.evaluate((el) => (el as unknown as { value: number }).value)).toBe(40);
    expect(await row(page, 'vm').locator('.app-download').textContent()).toBe(' 40%');

    // node-a runs it and says so (only the running node reports an app, §6.1).
    await site.reportRunning(devices[0]!, 'vm');
    await site.seenRunning('vm', 'node-a');
    await page.locator('article.app[data-app="vm"][data-phase="running"][data-effective="node-a"]').waitFor();
    expect(await row(page, 'vm').locator('dd.designated').textContent()).toBe('node-a');
    await card(page, 'node-a').locator('.node-apps li[data-app="vm"]', { hasText: 'running' }).waitFor();
    expect(await row(page, 'vm').locator('.moves-none').count()).toBe(1);

    // A move whose volume cannot follow is refused with the reason, and nothing changes.
    const pinned = row(page, 'pinned');
    await pinned.getByLabel('Move to').selectOption('node-a');
    await pinned.getByRole('button', { name: 'Move' }).click();
    await pinned.locator('.result.error', { hasText: 'scratch, which is not replicated' }).waitFor();

    // The operator moves vm to node-b: accepted, and pending until the VM is recreated.
    const vm = row(page, 'vm');
    await vm.getByLabel('Move to').selectOption('node-b');
    await vm.getByRole('button', { name: 'Move' }).click();
    await vm.locator('.result', { hasText: 'Accepted: move to node-b is pending.' }).waitFor();
    expect(await vm.locator('.result').textContent()).toContain('EVE does not restart a running VM');
    await vm
      .locator('.app-note.pending', { hasText: 'Move to node-b pending until the VM is next recreated' })
      .waitFor();
    await page.locator('article.app[data-app="vm"][data-designated="node-b"][data-effective="node-a"]').waitFor();
    await ui.shot(page, 'ui-workloads-move-pending');

    // node-a is drained: K3s recreates the VM on node-b, which now reports it running.
    await site.reportRunning(devices[1]!, 'vm');
    await page.locator('article.app[data-app="vm"][data-phase="running"][data-effective="node-b"]').waitFor();
    const move = vm.locator('li.move[data-from="node-a"][data-to="node-b"]');
    await move.waitFor();
    expect(await move.textContent()).toMatch(/^node-a → node-b \d\d:\d\d:\d\d · took .+ · manual move$/);
    expect(await vm.locator('.app-note.pending').count()).toBe(0);
    await card(page, 'node-b').locator('.node-apps li[data-app="vm"]', { hasText: 'running' }).waitFor();
    // node-a neither runs it nor is designated for it any more.
    expect(await card(page, 'node-a').locator('.node-apps li[data-app="vm"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await ui.shot(page, 'ui-workloads-moved');

    // The audit trail has both operator moves, the refusal with its reason.
    const events = (
      await t.app.operatorApi.inject({ url: '/api/v1/events', headers: { authorization: `Bearer ${TOKEN}` } })
    ).json() as { type: string; data: Record<string, unknown> }[];
    const moves = events.filter((e) => e.type === 'operator.move').map((e) => [e.data.app, e.data.outcome]);
    expect(moves).toEqual([
      ['pinned', 'refused'],
      ['vm', 'pending'],
    ]);
  }, 120_000);
});

describe.skipIf(!p.ok)('Workloads panel: a node is lost', () => {
  let site: WorkloadSite;
  let ui: UiBrowser;
  let base: string;
  // The appliance's clock runs ahead on demand: node-a falls silent for longer than EVE's two config intervals
  // without the test waiting for it. Messages keep EVE's own send times (atTimeStamp).
  let ahead = 0;
  const clock = { now: () => Date.now() + ahead };

  beforeAll(async () => {
    site = await startWorkloadSite({ site: FAILOVER_SITE, clock });
    await site.t.app.operatorApi.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(site.t.app.operatorApi.server.address() as AddressInfo).port}`;
    ui = await launchUi();
  });
  afterAll(async () => {
    await ui?.close();
    await site?.t.stop();
  });

  it('shows the preferred app moving and then on node-b as a failover, and the required one down with its node', async () => {
    const [a, b, c] = site.devices as [SimDevice, SimDevice, SimDevice];
    await site.ready();
    await site.reportRunning(a, 'vm');
    await site.reportRunning(a, 'db');
    await site.seenRunning('vm', 'node-a');
    const { page, errors } = await ui.open(`${base}/?access_token=${TOKEN}`);
    await page.locator('article.app[data-app="db"][data-phase="running"][data-effective="node-a"]').waitFor();

    // node-a goes silent: 130 s later (past 120 s of silence and the 55 s eviction grace) only b and c poll.
    ahead = 130_000;
    await b.pollConfig();
    await c.pollConfig();
    const db = page.locator('article.app[data-app="db"][data-phase="down-with-node"]');
    await db.locator('.app-note.detail', { hasText: 'does not fail it over' }).waitFor();
    expect(await db.locator('.app-note.detail').textContent()).toContain('node-a has been silent');
    await page.locator('article.app[data-app="vm"][data-phase="moving"]').waitFor();
    await ui.shot(page, 'ui-workloads-node-lost');

    // K3s reschedules the preferred app on node-b, which reports it running.
    await site.reportRunning(b, 'vm');
    const vm = page.locator('article.app[data-app="vm"][data-phase="running"][data-effective="node-b"]');
    await vm.waitFor();
    expect(await vm.locator('li.move').textContent()).toMatch(/^node-a → node-b .* · failover$/);
    expect(await vm.locator('dd.designated').textContent()).toBe('node-a');
    expect(errors).toEqual([]);
    await ui.shot(page, 'ui-workloads-failover');
  }, 120_000);
});
