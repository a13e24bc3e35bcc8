// The UI against the demo site (`eveboot demo`: the appliance, three simulated EVE nodes over the real protocols
// and the K3s stand-in the readiness watcher probes): the three cards reach Ready exactly as /api/v1/snapshot
// says, and the cluster panel shows 3/3 with its evidence. Ports sit on a base of their own, loopback only.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Demo, demo } from '../../src/cli/demo.js';
import type { HubSnapshot } from '../../src/core/progress/hub.js';
import { launchUi, type UiBrowser, uiPrereq } from './ui-browser.js';

const p = uiPrereq();

describe.skipIf(!p.ok)('operator UI on the demo site', () => {
  let d: Demo;
  let ui: UiBrowser;
  const lines: string[] = [];
  const base = 21000 + (process.pid % 300) * 40;

  beforeAll(async () => {
    const state = mkdtempSync(join(tmpdir(), 'eveboot-ui-demo-'));
    d = await demo(['--state', state, '--port-base', String(base), '--poll-ms', '500', '--headless'], (s) =>
      lines.push(s),
    );
    ui = await launchUi();
  });
  afterAll(async () => {
    await ui?.close();
    await d?.stop();
  });

  it('three node cards reach Ready as the snapshot reports it, and the cluster shows 3/3', async () => {
    const { page, errors } = await ui.open(d.running.uiUrl);
    await page.locator('#live-state[data-state="live"]').waitFor();
    const cards = page.locator('article.card');
    await cards.nth(2).waitFor();
    // Ready is the readiness watcher's verdict over the K3s stand-ins; the page must agree with the API.
    await page.locator('article.card[data-phase="ready"]').nth(2).waitFor({ timeout: 80_000 });
    const res = await page.context().request.get(d.running.uiUrl.replace(/\/\?.*$/, '/api/v1/snapshot'));
    const snap = (await res.json()) as HubSnapshot;
    expect(snap.nodes.map((n) => n.phase)).toEqual(['ready', 'ready', 'ready']);
    for (const n of snap.nodes) {
      const card = page.locator(`article.card[data-key="${n.key}"]`);
      expect(await card.getAttribute('data-phase')).toBe(n.phase);
      expect(await card.locator('h3').textContent()).toBe(n.name);
      expect(await card.locator('li.step.done[data-step="ready"]').count()).toBe(1);
      if (n.ecdhCertHash) expect(await card.locator('.ids').textContent()).toContain(n.ecdhCertHash.slice(0, 16));
    }
    expect(await cards.count()).toBe(3);
    const panel = page.locator('section.cluster[data-kind="ready"]');
    await panel.locator('.quorum', { hasText: '3/3' }).waitFor();
    expect(await panel.locator('dd.sealed').textContent()).toBe('token sealed for 3/3 devices');
    expect(await panel.locator('.evidence li').count()).toBeGreaterThan(0);
    expect(await page.content()).not.toContain(d.running.accessToken);
    expect(errors).toEqual([]);
    await ui.shot(page, 'ui-demo-ready');

    // Ready: the panel offers an admin kubeconfig, minted from the seed with the server token, as a file.
    const button = panel.getByRole('button', { name: 'Download admin kubeconfig' });
    expect(await button.isEnabled()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`${await panel.getAttribute('data-cluster')}.kubeconfig`);
    const text = readFileSync(await download.path(), 'utf8');
    const k = parseYaml(text) as {
      clusters: { cluster: { server: string } }[];
      users: { user: Record<string, string> }[];
    };
    expect(k.clusters[0]!.cluster.server).toMatch(/^https:\/\/10\.244\.244\.\d+:6443$/);
    const cert = new X509Certificate(Buffer.from(k.users[0]!.user['client-certificate-data']!, 'base64'));
    expect(cert.subject).toContain('O=system:masters');
    await panel.locator('.kubeconfig .result', { hasText: 'keep it like a password' }).waitFor();
    expect(await page.content()).not.toContain(k.users[0]!.user['client-key-data']!);
    expect(lines.join('\n')).toContain('kubeconfig.issued');
    expect(lines.join('\n')).not.toContain(k.users[0]!.user['client-key-data']!);
  }, 120_000);
});
