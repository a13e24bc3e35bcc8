// Access to the UI and the operator API: the token printed at start (as Jupyter does) or set in the site file.
// Accepted as `Authorization: Bearer …`, as `?access_token=…` (first page load, EventSource), or as the
// HttpOnly cookie set on that first load, so the page, its assets and the live stream need nothing else.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { EvebootError } from '../../core/errors.js';

const COOKIE = 'eveboot_token';

function cookieToken(header: string | undefined): string {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return '';
}

export function installAccessToken(app: FastifyInstance, token: string): void {
  const want = Buffer.from(token);
  const matches = (got: string) => {
    const b = Buffer.from(got);
    return b.length === want.length && timingSafeEqual(b, want);
  };
  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization ?? '';
    const query = (req.query as Record<string, string | undefined>).access_token ?? '';
    if (header.startsWith('Bearer ') && matches(header.slice(7))) return;
    if (query && matches(query)) {
      reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    if (matches(cookieToken(req.headers.cookie))) return;
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_ALLOWED',
      'missing or wrong access token (printed by eveboot serve at start)',
    );
  });
}
