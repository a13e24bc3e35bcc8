// eveboot support-bundle: what a support engineer needs to see why a site stalled, in one gzip'd JSON file that
// is safe to mail: versions, the host's NICs, the site file with the UI access token redacted, the public PKI
// fingerprints, the per-device report, every event, the cluster states (no token ciphertext) and the imported
// images. Private keys, the join token, integrity tokens and sealed blobs are never read into it; a final scan
// refuses to write the bundle if any key block or the access token slipped in anyway.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { probeHostNics } from '../adapters/host-probe.js';
import { ImageStore } from '../adapters/image-store.js';
import { openStore } from '../adapters/open-store.js';
import { fingerprints, loadPki } from '../adapters/pki.js';
import { parseSite } from '../config/site.js';
import { foldEvents } from '../core/progress/snapshot.js';
import { buildReports } from '../core/report/build.js';
import { parse, required, UsageError } from './args.js';
import { allEvents } from './report.js';

const USAGE = `usage: eveboot support-bundle --out FILE.json.gz [--state DIR] [--state-url URL] [--site FILE]
  --out FILE      where to write the bundle (gzip'd JSON; secrets are left out)
  --state DIR     state directory (default ./eveboot-state)
  --state-url URL read a shared PostgreSQL state instead of SQLite in --state
  --site FILE     the site file to include, with ui.accessToken redacted`;

export async function supportBundleCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const opts = {
    state: { type: 'string' as const, default: 'eveboot-state' },
    'state-url': { type: 'string' as const },
    site: { type: 'string' as const },
    out: { type: 'string' as const },
  };
  const { values } = parse(argv, opts, USAGE);
  const file = required(values.out, 'out', USAGE);
  const db = values['state-url'] ?? join(values.state, 'eveboot.db');
  if (!values['state-url'] && !existsSync(db)) throw new UsageError(`no eveboot state in ${values.state}\n\n${USAGE}`);
  const siteText = values.site ? readFileSync(values.site, 'utf8') : undefined;
  const accessToken = siteText ? parseSite(siteText, values.site).ui.accessToken : undefined;
  const store = openStore(db);
  let bundle: Record<string, unknown>;
  try {
    const events = allEvents(store);
    const nodes = foldEvents(events, { now: Date.now() }).nodes;
    bundle = {
      createdAt: new Date().toISOString(),
      eveboot: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
      host: {
        hostname: hostname(),
        kernel: release(),
        node: process.version,
        nics: await probeHostNics().catch((e) => String(e)),
      },
      site: siteText?.replace(/(accessToken:\s*)\S+/g, '$1<redacted>'),
      pki: existsSync(join(values.state, 'pki')) ? fingerprints(loadPki(join(values.state, 'pki'))) : undefined,
      images: new ImageStore(join(values.state, 'images')).list(),
      clusters: store.clusters().map((c) => ({
        id: c.id,
        name: c.name,
        state: c.state,
        updatedAt: c.updatedAt,
        planStatus: c.planStatus,
        configsOut: c.configsOut,
        overrides: c.overrides,
        plan: c.plan ? JSON.parse(c.plan) : undefined,
      })),
      machines: store.machines(),
      devices: buildReports(store, nodes, hostname()),
      events,
    };
  } finally {
    store.close();
  }
  const text = JSON.stringify(bundle, null, 1);
  const leaks = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, ...(accessToken ? [accessToken] : [])].filter((p) =>
    typeof p === 'string' ? text.includes(p) : p.test(text),
  );
  if (leaks.length > 0)
    throw new Error('support bundle not written: it would have held a secret (a bug: please report it)');
  writeFileSync(file, gzipSync(text), { mode: 0o600 });
  out(
    `wrote ${file}: ${(bundle.events as unknown[]).length} events, ${(bundle.devices as unknown[]).length} devices; no keys or tokens`,
  );
  return 0;
}
