// The operator UI in headless Chromium against a real appliance (operator API on loopback) and simulated EVE
// nodes: the token gate, the header, a moving progress bar, approve/reject, a seed override before planning and
// its 409 afterwards, Ready/degraded rendering, reinstall, and the reconnecting state. One screenshot per test.
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setReinstall } from '../../src/adapters/http/boot-machine-routes.js';
import type { HubSnapshot } from '../../src/core/progress/hub.js';
import { bootApiOnFakeBundle, reportQuery } from '../adapters/boot-fixture.js';
import type { TestAppliance } from '../support/appliance.js';
import { until } from '../support/process.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';
import { startUiAppliance, type UiBrowser, uiPrereq } from './ui-browser.js';

const TOKEN = 'test-access-token-0123456789';
const MAC_A = '52:54:00:00:00:0a';
const SITE = `site: { name: ui-test }
cluster: { name: test-cluster }
nodes:
  - { serial: SN-A, name: node-a, mac: '${MAC_A}' }
  - { serial: SN-B, name: node-b }
  - { serial: SN-C, name: node-c }
onboarding: { policy: approve }
listen: { advertise: 127.0.0.1 }
`;

const p = uiPrereq();

describe.skipIf(!p.ok)('operator UI in headless Chromium', () => {
  let t: TestAppliance;
  let ui: UiBrowser;
  let base: string;
  const devices: ReturnType<typeof simDevice>[] = [];
  const card = (page: Page, name: string) =>
    page.locator('article.card', { has: page.locator('h3', { hasText: new RegExp(`^${name}$`) }) });
  const openLive = async () => {
    const o = await ui.open(`${base}/?access_token=${TOKEN}`);
    await o.page.locator('#live-state[data-state="live"]').waitFor();
    return o;
  };
  const snapshot = async () =>
    (
      await t.app.operatorApi.inject({ url: '/api/v1/snapshot', headers: { authorization: `Bearer ${TOKEN}` } })
    ).json() as HubSnapshot;

  beforeAll(async () => {
    ({ t, ui, base } = await startUiAppliance(SITE));
  });
  afterAll(async () => {
    await ui?.close();
    await t?.stop();
  });

  it('refuses the page without the token and says how to get in', async () => {
    const { ctx, page, status } = await ui.open(`${base}/`);
    expect(status).toBe(403);
    await page.getByRole('heading', { name: 'Access token needed' }).waitFor();
    expect(await page.textContent('main')).toContain('/?access_token=');
    expect((await ctx.request.get(`${base}/api/v1/snapshot`)).status()).toBe(403);
    expect((await ctx.request.get(`${base}/app.js`)).status()).toBe(403);
    await ui.shot(page, 'ui-refused-without-token');
  });

  it('shows the site header and one card per expected node, and drops the token from the address bar', async () => {
    const { page, errors } = await openLive();
    expect(page.url()).not.toContain('access_token');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to the nodes');
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('CSV');
    expect(await page.textContent('#site-root')).toBe(t.app.pki.root.cert.fingerprint256);
    const site = (await (await page.context().request.get(`${base}/api/v1/site`)).json()) as {
      network?: { interface?: string; dhcp?: { mode?: string } };
      eveVersion?: string;
    };
    const serving = await page.textContent('#site-serving');
    if (site.network?.interface) expect(serving).toContain(site.network.interface);
    else expect(serving).toBe('not reported');
    if (site.network?.dhcp?.mode) expect(await page.textContent('#site-dhcp')).toContain(site.network.dhcp.mode);
    for (const name of ['node-a', 'node-b', 'node-c']) await card(page, name).waitFor();
    expect(await page.locator('#report-csv').getAttribute('href')).toBe('/api/v1/report?format=csv');
    expect(errors).toEqual([]);
    await ui.shot(page, 'ui-header-and-cards');
  });

  it('shows the serving interface, DHCP mode and why, and the EVE version when the site reports them', async () => {
    const site = {
      fingerprints: { root: 'AB:CD' },
      network: {
        interface: 'enp1s0',
        address: '192.168.7.2/24',
        dhcp: { mode: 'proxy', why: 'another DHCP server answers on enp1s0' },
      },
      eveVersion: '14.5.1-lts',
    };
    const { page } = await ui.open(`${base}/?access_token=${TOKEN}`, (ctx) =>
      ctx.route('**/api/v1/site', (route) => route.fulfill({ json: site })).then(() => undefined),
    );
    await page.locator('#site-eve', { hasText: '14.5.1-lts' }).waitFor();
    expect(await page.textContent('#site-serving')).toBe('enp1s0 · 192.168.7.2/24');
    expect(await page.textContent('#site-dhcp')).toBe('proxy: another DHCP server answers on enp1s0');
    expect(await page.textContent('#site-root')).toBe('AB:CD');
    await ui.shot(page, 'ui-header-network');
  });

  it('moves a progress bar while bytes flow, with percent, rate and ETA', async () => {
    const { page } = await openLive();
    const bar = card(page, 'node-a').locator('progress');
    const total = 400_000_000;
    const seen: number[] = [];
    for (const part of [0.1, 0.35, 0.6]) {
      t.app.emit({
        type: 'http.progress',
        data: { mac: MAC_A, path: '/eve/installer.iso', bytes: total * part, total },
      });
      const value = () => bar.evaluate((el) => (el as unknown as { value: number }).value);
      await expect.poll(value, { timeout: 10_000 }).toBe(Math.round(part * 100));
      seen.push(await value());
      // The rate is bytes over the appliance's own clock: the next sample must come at a later millisecond.
      const sampledAt = Date.now();
      await until('the appliance clock moved past the last sample', () => Date.now() > sampledAt);
    }
    expect(seen).toEqual([10, 35, 60]);
    const text = await card(page, 'node-a').locator('.download-text').textContent();
    expect(text).toMatch(/^60\.0% · 240 MB of 400 MB · [\d.]+ [kMG]?B\/s · ETA .+ · 1 file$/);
    await ui.shot(page, 'ui-progress-bar');
  });

  it('rejects and approves an unknown machine from the page, showing each result', async () => {
    const stranger = simDevice(t, 'SN-X');
    await expect(stranger.onboard()).rejects.toThrow(/waiting for the operator/);
    const { page } = await openLive();
    await page.getByRole('button', { name: 'Reject SN-X' }).click();
    await page.locator('#machine-result', { hasText: 'SN-X: rejected.' }).waitFor();
    await page.getByRole('button', { name: 'Approve SN-X' }).click();
    await page.locator('#machine-result', { hasText: 'SN-X: approved.' }).waitFor();
    await page.locator('li.machine.approved').waitFor();
    await ui.shot(page, 'ui-machines');
  });

  it('a seed override before planning takes effect; after the configs went out the 409 is shown', async () => {
    const { page } = await openLive();
    const panel = page.locator('section.cluster');
    await panel.locator('summary').click();
    await panel.getByLabel('Seed').selectOption({ label: 'node-b' });
    await panel.getByRole('button', { name: 'Set seed' }).click();
    await panel.locator('.result', { hasText: 'accepted' }).waitFor();

    devices.push(...['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s)));
    await onboardFleet(t, devices);
    for (const d of devices) await d.pollConfig();
    await panel.locator('dd.seed', { hasText: /^node-b$/ }).waitFor();
    await card(page, 'node-b').locator('.ids', { hasText: 'seed' }).waitFor();
    for (const name of ['node-a', 'node-b', 'node-c'])
      await card(page, name).locator('li.step.done[data-step="config"]').waitFor();
    // The cards show what the snapshot says, node by node (Ready comes from the readiness watcher; next test).
    for (const n of (await snapshot()).nodes.filter((x) => x.name?.startsWith('node-')))
      await page.locator(`article.card[data-key="${n.key}"][data-phase="${n.phase}"]`).waitFor();

    await panel.getByLabel('Seed').selectOption({ label: 'node-c' });
    await panel.getByRole('button', { name: 'Set seed' }).click();
    await panel.locator('.result.error', { hasText: '409: cluster test-cluster: configs already went out' }).waitFor();
    await ui.shot(page, 'ui-seed-override');
  });

  it('cards reach Ready with the watcher’s evidence; a lost node is named with what to do', async () => {
    // Settle the watcher's own first evaluation (no probe route here) so it does not race the events below.
    await (t.app as { watcher?: { tick(): Promise<void> } }).watcher?.tick();
    const { page } = await openLive();
    const uuids = devices.map((d) => d.uuid!);
    const readiness = (live: string[]) => ({
      cluster: 'test-cluster',
      ready: live.length === 3,
      quorum: `${live.length}/3`,
      basis: 'probes',
      evidence: [`/db/info lists 3 etcd member(s)`, `${live.length} member(s) answer /v1-k3s/readyz`],
      missing: uuids.filter((u) => !live.includes(u)).map(() => 'node-c: /ping: connect ECONNREFUSED'),
      members: uuids,
      liveMembers: live,
      seedInitialised: true,
      nodes: devices.map((d, i) => ({
        uuid: d.uuid,
        name: `node-${'abc'[i]}`,
        member: true,
        live: live.includes(d.uuid!),
        ready: live.includes(d.uuid!),
        evidence: live.includes(d.uuid!) ? ['/v1-k3s/readyz 200', 'etcd member'] : [],
      })),
    });
    t.app.emit({ type: 'k3s.readiness', data: readiness(uuids) });
    for (const name of ['node-a', 'node-b', 'node-c'])
      await card(page, name).locator('li.step.done[data-step="ready"]').waitFor();
    await page.locator('section.cluster[data-kind="ready"] .quorum', { hasText: '3/3' }).waitFor();
    expect(await page.textContent('section.cluster dd.sealed')).toBe('token sealed for 3/3 devices');
    for (const n of (await snapshot()).nodes.filter((x) => x.name?.startsWith('node-'))) expect(n.phase).toBe('ready');
    await ui.shot(page, 'ui-ready');

    t.app.emit({ type: 'k3s.readiness', data: readiness(uuids.slice(0, 2)) });
    await page.locator('section.cluster[data-kind="degraded"] .problem', { hasText: 'node-c is down' }).waitFor();
    const down = card(page, 'node-c');
    await down.locator('.problem .todo', { hasText: 'What to do:' }).waitFor();
    expect(await down.getAttribute('data-phase')).toBe('down');
    expect(await page.textContent('#changes')).toContain('node-c: down');
    await ui.shot(page, 'ui-degraded');
  });

  const markReinstall = async () => {
    const { page } = await openLive();
    const a = card(page, 'node-a');
    await a.getByRole('button', { name: 'Mark for reinstall…' }).click();
    await a.getByRole('button', { name: /^Confirm: reinstall node-a/ }).click();
    return { page, a };
  };

  it('refuses a reinstall with the reason when this appliance runs no network boot', async () => {
    const { page, a } = await markReinstall();
    await a.locator('.card-actions .result', { hasText: /^Reinstall refused: 409/ }).waitFor();
    expect(await a.locator('.card-actions .result').textContent()).not.toMatch(/Marked/);
    await ui.shot(page, 'ui-reinstall-refused');
  });

  it('marks a node for reinstall after a confirmation, and its next boot decision is install', async () => {
    // A boot API on this appliance's side, as `serve` wires it: node-a has PXE-booted and is installed.
    const boot = await bootApiOnFakeBundle();
    try {
      const report = () => boot.app.inject({ url: `/boot/report?${reportQuery(MAC_A, { serial: 'SN-A' })}` });
      const first = await report();
      const nonce = /nonce=([A-Za-z0-9_-]{22})/.exec(first.body)?.[1];
      expect((await boot.app.inject({ url: `/boot/installed?mac=${MAC_A}&nonce=${nonce}` })).statusCode).toBe(200);
      expect((await report()).body).toContain(`# eveboot decision for ${MAC_A}: local`);
      t.app.hooks.markReinstall = (uuid) => {
        const serial = t.app.store.deviceByUuid(uuid)?.serial;
        const m = boot.bootStore.machines().find((x) => x.identity.serial === serial);
        if (!m) throw new Error(`${serial} has not PXE-booted here`);
        setReinstall(boot.bootStore, () => {}, m.mac, true);
      };
      const { page, a } = await markReinstall();
      await a
        .locator('.card-actions .result', { hasText: /^Marked: it reinstalls on its next network boot/ })
        .waitFor();
      await ui.shot(page, 'ui-reinstall');
      const next = await report();
      expect(next.body).toContain(`# eveboot decision for ${MAC_A}: install`);
      expect(next.body).toContain('reinstall requested by the operator');
      // The reinstalled node may register once with a new device cert (register.ts).
      expect(t.app.store.deviceBySerial('SN-A', devices[0]!.opts.softSerial)?.acceptCert).toBe('*');
    } finally {
      t.app.hooks.markReinstall = undefined;
      await boot.close();
    }
  });

  it('shows reconnecting… while the appliance is away and goes live again by itself', async () => {
    const { page } = await openLive();
    const server = t.app.operatorApi.server;
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await page.locator('#live-state[data-state="reconnecting"]', { hasText: 'reconnecting…' }).waitFor();
    await ui.shot(page, 'ui-reconnecting');
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await page.locator('#live-state[data-state="live"]').waitFor({ timeout: 20_000 });
    t.app.emit({ type: 'operator.probe', data: { note: 'after reconnect' } });
    await page.locator('#changes li', { hasText: 'operator: probe' }).waitFor();
  });
});
