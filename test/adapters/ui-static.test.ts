// The UI's static files through the operator app's inject(): content types, cache headers, ETag revalidation,
// the access token in front of every file, and a page with nothing to fetch from outside the appliance.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIR } from '../../src/adapters/http/ui-static.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';

const TOKEN = 'test-access-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('UI static files', () => {
  let t: TestAppliance;
  const get = (url: string, headers: Record<string, string> = auth) =>
    t.app.operatorApi.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await startTestAppliance();
  });
  afterAll(async () => t?.stop());

  it.each([
    { name: 'the page at /', url: '/', type: 'text/html; charset=utf-8' },
    { name: 'index.html by name', url: '/index.html', type: 'text/html; charset=utf-8' },
    { name: 'the entry module', url: '/app.js', type: 'text/javascript; charset=utf-8' },
    { name: 'the page style', url: '/style.css', type: 'text/css; charset=utf-8' },
    { name: 'the card style', url: '/cards.css', type: 'text/css; charset=utf-8' },
    { name: 'the icon', url: '/favicon.svg', type: 'image/svg+xml' },
  ])('serves $name with its content type, no-cache and an ETag', async ({ url, type }) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
  });

  it('answers 304 when the browser already has the file', async () => {
    const first = await get('/app.js');
    const again = await get('/app.js', { ...auth, 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('sets the cookie on the first load with ?access_token=, and assets then need nothing else', async () => {
    const first = await get(`/?access_token=${TOKEN}`, {});
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe(`eveboot_token=${TOKEN}`);
    for (const url of ['/app.js', '/style.css', '/api/v1/snapshot'])
      expect((await get(url, { cookie })).statusCode).toBe(200);
  });

  it('refuses every file without the token: a readable page for a browser, plain text otherwise', async () => {
    const page = await get('/', { accept: 'text/html,application/xhtml+xml' });
    expect(page.statusCode).toBe(403);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Access token needed');
    expect(page.body).toContain('access_token');
    expect(page.body).not.toContain(TOKEN);
    for (const url of ['/app.js', '/style.css', '/index.html']) {
      const res = await get(url, { cookie: 'eveboot_token=wrong' });
      expect(res.statusCode).toBe(403);
      expect(res.body).toMatch(/^EVEBOOT_ERR_NOT_ALLOWED: /);
    }
  });

  it('serves nothing outside web/', async () => {
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/src/main.ts', '/nope.js']) {
      expect((await get(url)).statusCode).toBe(404);
    }
  });

  it('every module the page imports is served, and nothing is fetched from outside the appliance', async () => {
    const files = readdirSync(WEB_DIR);
    for (const name of files.filter((f) => /\.(js|html|css)$/.test(f))) {
      const text = readFileSync(join(WEB_DIR, name), 'utf8');
      expect(text, name).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(text, name).not.toMatch(/@import|fonts\.googleapis|cdn/i);
      for (const m of text.matchAll(/from '\.\/([^']+)'/g)) {
        expect(files, `${name} imports ${m[1]}`).toContain(m[1]);
        expect((await get(`/${m[1]}`)).statusCode).toBe(200);
      }
    }
  });
});
