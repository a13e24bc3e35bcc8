// The operator UI: the static files in web/ (no build step), served at `/` behind the same access token as the
// operator API. Files are read once at registration and answered from memory with a strong ETag, so a reload
// costs a 304; `no-cache` makes the browser revalidate, because the names carry no content hash.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EvebootError } from '../../core/errors.js';

/** web/ at the repository root, from src/adapters/http (tsx) and dist/adapters/http (built) alike. */
export const WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

const CONTENT_TYPE: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// The page talks only to its own origin; the access token sits in the first URL, so no Referer leaves the page.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

interface UiFile {
  body: Buffer;
  type: string;
  etag: string;
}

export function loadUiFiles(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPE[extname(name)];
    if (!type || name.startsWith('.') || !statSync(join(dir, name)).isFile()) continue;
    const body = readFileSync(join(dir, name));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    files.set(name, { body, type, etag });
  }
  return files;
}

function send(req: FastifyRequest, reply: FastifyReply, file: UiFile) {
  reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: file.etag });
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/** The page a browser gets when it opens the UI without (or with a wrong) access token. */
const REFUSED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>eveboot: access token needed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<main><h1>Access token needed</h1>
<p id="refused">This eveboot appliance refuses requests without its access token.</p>
<p>Open the full URL that <code>eveboot serve</code> (or <code>eveboot demo</code>) printed at start; it ends in
<code>/?access_token=…</code>. The token is also in the site file (<code>ui.accessToken</code>) when set there.</p>
</main></body></html>
`;

function wantsHtml(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * Serves web/ at `/` (index.html) and `/<file>`. The access-token hook of the parent app runs first; a browser
 * refused by it gets a readable HTML page instead of the plain-text error.
 */
export function registerUi(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const files = loadUiFiles(opts.dir ?? WEB_DIR);
  app.register(async (ui) => {
    ui.setErrorHandler((err, req, reply) => {
      if (err instanceof EvebootError && err.code === 'EVEBOOT_ERR_NOT_ALLOWED' && wantsHtml(req)) {
        return reply
          .code(err.status)
          .headers({
            ...SECURITY_HEADERS,
            'cache-control': 'no-store',
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
          })
          .type('text/html; charset=utf-8')
          .send(REFUSED_PAGE);
      }
      throw err; // the parent's handler answers everything else
    });
    const index = files.get('index.html');
    if (index) ui.get('/', (req, reply) => send(req, reply, index));
    for (const [name, file] of files) ui.get(`/${name}`, (req, reply) => send(req, reply, file));
  });
}
