// Headless Chromium for the UI tests (test-harness.md §3): Debian's /usr/bin/chromium driven by playwright-core,
// a fresh profile per context, nothing but loopback. Each test leaves a screenshot under test-output/screenshots.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { prereq } from '../support/prereq.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(process.cwd(), 'test-output', 'screenshots');

export function uiPrereq() {
  return prereq('ui browser', { tools: ['chromium'] });
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface UiBrowser {
  browser: Browser;
  /** A fresh context (own cookies) with a laptop-sized window, page errors collected. */
  open(
    url: string,
    prepare?: (ctx: BrowserContext) => Promise<void>,
  ): Promise<{ ctx: BrowserContext; page: Page; errors: string[]; status: number }>;
  shot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchUi(): Promise<UiBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  mkdirSync(SHOTS, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async open(url, prepare) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 850 } });
      contexts.push(ctx);
      await prepare?.(ctx);
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const res = await page.goto(url);
      return { ctx, page, errors, status: res?.status() ?? 0 };
    },
    async shot(page, name) {
      const path = join(SHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}

/** A real appliance with its operator API (and the page) on a loopback port, and a browser to open it. */
export async function startUiAppliance(site?: string): Promise<{ t: TestAppliance; ui: UiBrowser; base: string }> {
  const t = await startTestAppliance(site ? { site } : {});
  await t.app.operatorApi.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.operatorApi.server.address() as AddressInfo).port}`;
  return { t, ui: await launchUi(), base };
}
