// pino, with every field that could carry a secret redacted. The core never logs; adapters log through
// child loggers ({subsystem, mac, node}).
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'token',
  '*.token',
  'clusterToken',
  '*.clusterToken',
  'tokenCiphertext',
  '*.tokenCiphertext',
  'key',
  '*.key',
  'keyPem',
  '*.keyPem',
  'privateKey',
  '*.privateKey',
  'integrityToken',
  '*.integrityToken',
  'sealed',
  '*.sealed',
  'escrow',
  '*.escrow',
  'ciphertext',
  '*.ciphertext',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** A request URL fit for a log: the path, and the query's parameter names with every value dropped. */
export function logUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((kv) => `${kv.split('=')[0]}=[redacted]`);
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/** Fastify logs `req` through this: the query string (where ?access_token= travels) never reaches the log. */
function reqSerializer(req: { method?: string; url?: string; ip?: string }) {
  return { method: req.method, url: logUrl(req.url ?? ''), remoteAddress: req.ip };
}

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: reqSerializer },
    },
    opts.destination ?? pino.destination(2),
  );
}
