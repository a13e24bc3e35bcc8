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

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    opts.destination ?? pino.destination(2),
  );
}
