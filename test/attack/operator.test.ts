// The operator surface against a page on another site (CSRF through the cookie), a token in the URL that
// must not reach the log, a malformed cookie, and --ui-public over HTTPS with a Secure cookie.
import { mkdtempSync } from 'node:fs';
import { get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger.js';
import { type Appliance, compose } from '../../src/compose.js';
import { parseSite } from '../../src/config/site.js';
import { startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';

const TOKEN = 'test-access-token-0123456789';
const cookie = `eveboot_token=${TOKEN}`;
// No machine SN-X is pending: a request that gets past the access check answers 404, one that does not 403.
const change = '/api/v1/machines/SN-X/approve';

describe('operator API: changes authorised by the cookie must come from our own page', () => {
  let t: TestAppliance;
  beforeAll(async () => {
    t = await startTestAppliance();
  });
  afterAll(async () => t?.stop());
  const post = (headers: Record<string, string>, url = change) =>
    t.app.operatorApi.inject({ method: 'POST', url, headers: { host: 'eveboot.local:8088', ...headers } });

  const cases: { name: string; headers: Record<string, string>; url?: string; want: number }[] = [
    {
      name: 'a cross-site form post (Sec-Fetch-Site: cross-site) is refused',
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
      want: 403,
    },
    {
      name: 'a same-site sibling (Sec-Fetch-Site: same-site) is refused',
      headers: { cookie, 'sec-fetch-site': 'same-site' },
      want: 403,
    },
    {
      name: 'an old browser with a foreign Origin is refused',
      headers: { cookie, origin: 'http://evil.example' },
      want: 403,
    },
    { name: 'a cookie with neither Origin nor Sec-Fetch-Site is refused', headers: { cookie }, want: 403 },
    {
      name: 'the token in the query never authorises a change',
      headers: {},
      url: `${change}?access_token=${TOKEN}`,
      want: 403,
    },
    {
      name: 'our own page (Sec-Fetch-Site: same-origin) gets through',
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
      want: 404,
    },
    {
      name: 'an old browser on our own origin gets through',
      headers: { cookie, origin: 'http://eveboot.local:8088' },
      want: 404,
    },
    {
      name: 'a script with Authorization: Bearer needs no Origin',
      headers: { authorization: `Bearer ${TOKEN}` },
      want: 404,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await post(c.headers, c.url);
      expect(r.statusCode).toBe(c.want);
      if (c.want === 403) expect(r.body).toMatch(/EVEBOOT_ERR_NOT_ALLOWED/);
    });
  }

  it('a malformed cookie gets a 400, not a 500', async () => {
    const r = await t.app.operatorApi.inject({ url: '/api/v1/devices', headers: { cookie: 'eveboot_token=%E0%A4%A' } });
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/EVEBOOT_ERR_BAD_REQUEST/);
  });

  it('the access token in a URL never reaches the log, even on an error that logs the URL', async () => {
    const r = await t.app.operatorApi.inject({ url: `/api/v1/devices/no-such?access_token=${TOKEN}` });
    expect(r.statusCode).toBe(404);
    await t.app.operatorApi.inject({ url: `/api/v1/devices?access_token=${TOKEN}x` });
    const logged = t.logLines.join('');
    expect(logged).toMatch(/no-such\?access_token=\[redacted\]/);
    expect(logged).not.toContain(TOKEN);
  });
});

describe('--ui-public: the UI over HTTPS with a cert from the appliance CA', () => {
  let app: Appliance;
  let port = 0;
  beforeAll(async () => {
    app = await compose({
      stateDir: mkdtempSync(join(tmpdir(), 'eveboot-uipub-')),
      site: parseSite(TEST_SITE),
      logger: createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      uiAccessToken: TOKEN,
      uiHttps: true,
    });
    await app.operatorApi.listen({ host: '127.0.0.1', port: 0 });
    port = (app.operatorApi.server.address() as AddressInfo).port;
  });
  afterAll(async () => app?.close());

  it('verifies against the appliance root CA and sets a Secure, HttpOnly cookie', async () => {
    const ca = app.pki.root.certPem;
    const res = await new Promise<{ status: number; cookie: string; issuer: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: `/api/v1/site?access_token=${TOKEN}`, ca }, (r) => {
        r.resume();
        const issuer = (r.socket as import('node:tls').TLSSocket).getPeerCertificate(true).issuerCertificate?.subject
          ?.CN;
        resolve({ status: r.statusCode ?? 0, cookie: String(r.headers['set-cookie']), issuer: String(issuer) });
      }).on('error', reject);
    });
    expect(res.status).toBe(200);
    expect(res.cookie).toMatch(/; Secure/);
    expect(res.cookie).toMatch(/HttpOnly/);
  });
});
