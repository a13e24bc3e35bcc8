// eveboot state export|import: hand the site over to a permanent controller box (see docs/how-to/hand-over.md).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportState, importState } from '../adapters/state-archive.js';
import { parse, required, UsageError } from './args.js';

const USAGE = `usage: eveboot state export FILE [--state DIR] [--passphrase-file F]
       eveboot state import FILE [--state DIR] [--passphrase-file F]
  export          write the state dir (keys, PKI, databases, records; not imported images) to FILE, encrypted
  import          unpack FILE into a new, empty state dir; then run eveboot serve --state DIR on this box
  --state DIR     state directory (default ./eveboot-state)
  --passphrase-file F  read the passphrase (at least 12 characters) from F; default: $EVEBOOT_STATE_PASSPHRASE
  --state-url URL refused: a PostgreSQL state is backed up with pg_dump, not exported`;

const options = {
  state: { type: 'string' as const, default: 'eveboot-state' },
  'passphrase-file': { type: 'string' as const },
  'state-url': { type: 'string' as const },
};

function passphrase(file: string | undefined): string {
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  const env = process.env.EVEBOOT_STATE_PASSPHRASE;
  if (env) return env;
  throw new UsageError(`give the passphrase with --passphrase-file F or EVEBOOT_STATE_PASSPHRASE\n\n${USAGE}`);
}

export function stateCommand(argv: string[], out: (s: string) => void, now = new Date()): number {
  const { values, positionals } = parse(argv, options, USAGE);
  const [sub, file, ...extra] = positionals;
  if ((sub !== 'export' && sub !== 'import') || extra.length > 0) throw new UsageError(USAGE);
  const path = required(file, 'FILE', USAGE);
  if (values['state-url'] || process.env.EVEBOOT_STATE_URL) {
    throw new UsageError(
      'state lives in PostgreSQL (--state-url): back the database up with pg_dump and copy the state dir; export covers SQLite state dirs',
    );
  }
  const secret = passphrase(values['passphrase-file']);
  if (sub === 'export') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = exportState(values.state, path, secret, { site: siteName(values.state), eveboot: pkg.version, now });
    out(`exported ${r.files.length} files (${r.bytes} bytes, encrypted) from ${values.state} to ${path}`);
    out('imported EVE images are not in the archive: on the new box run eveboot images import with the same bundle');
    return 0;
  }
  const r = importState(path, values.state, secret);
  out(
    `imported ${r.files.length} files of site ${r.header.site} (exported ${r.header.createdAt}) into ${values.state}`,
  );
  out(`next: eveboot serve --state ${values.state} --site <the same site file>, advertised under the same name or IP`);
  return 0;
}

/** The site the state belongs to, from its root CA's subject ("CN=eveboot root CA <site>, O=eveboot"). */
function siteName(state: string): string {
  const pem = readFileSync(join(state, 'pki', 'root.cert.pem'), 'utf8');
  const subject = new X509Certificate(pem).subject;
  return /CN=eveboot root CA ([^\n,]+)/.exec(subject)?.[1] ?? subject;
}
