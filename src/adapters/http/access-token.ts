// Access to the UI and the operator API: the token printed at start (as Jupyter does) or set in the site file.
// Accepted as `Authorization: Bearer …`, as `?access_token=…` (first page load, EventSource), or as the
// HttpOnly cookie set on that first load, so the page, its assets and the live stream need nothing else.
// A browser attaches the cookie to any site's request, so a state-changing request (POST/PUT/PATCH/DELETE)
// that rests on the cookie must come from our own page (Fetch Metadata `Sec-Fetch-Site: same-origin`, else an
// `Origin` naming this host); scripts and the CLI send the Authorization header instead. The query token only
// opens pages: it never authorises a change (it sits in history and Referer).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EvebootError } from '../../core/errors.js';

const COOKIE = 'eveboot_token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function cookieToken(header: string | undefined): string {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k !== COOKIE || !v) continue;
    try {
      return decodeURIComponent(v);
    } catch {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `the ${COOKIE} cookie is not valid percent-encoding`);
    }
  }
  return '';
}

/** Why a cookie-authorised change is not from our own page, or undefined when it is. */
export function crossSiteReason(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' ? undefined : `Sec-Fetch-Site is ${site}`;
  const origin = req.headers.origin;
  if (origin === undefined) return 'no Origin or Sec-Fetch-Site header';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Origin ${origin} is not a URL`;
  }
  return host === req.headers.host ? undefined : `Origin ${origin} is not this appliance`;
}

export function installAccessToken(app: FastifyInstance, token: string, opts: { secure?: boolean } = {}): void {
  const want = Buffer.from(token);
  const matches = (got: string) => {
    const b = Buffer.from(got);
    return b.length === want.length && timingSafeEqual(b, want);
  };
  const cookieAttrs = `HttpOnly; SameSite=Strict; Path=/${opts.secure ? '; Secure' : ''}`;
  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization ?? '';
    const query = (req.query as Record<string, string | undefined>).access_token ?? '';
    if (header.startsWith('Bearer ') && matches(header.slice(7))) return;
    const changes = !SAFE.has(req.method);
    if (query && matches(query)) {
      if (changes) throw new EvebootError('EVEBOOT_ERR_NOT_ALLOWED', 'send changes with Authorization: Bearer');
      reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; ${cookieAttrs}`);
      return;
    }
    if (matches(cookieToken(req.headers.cookie))) {
      const why = changes ? crossSiteReason(req) : undefined;
      if (why === undefined) return;
      throw new EvebootError(
        'EVEBOOT_ERR_NOT_ALLOWED',
        `a change authorised only by the cookie must come from the eveboot page (${why}); scripts send Authorization: Bearer`,
      );
    }
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_ALLOWED',
      'missing or wrong access token (printed by eveboot serve at start)',
    );
  });
}
