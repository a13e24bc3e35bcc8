// eveboot pki show|export: fingerprints, and the public certificates as PEM files for a factory line or a
// node's CONFIG partition. Private keys never leave the state directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePki, fingerprints, loadPki, type Pki } from '../adapters/pki.js';
import { loadSite } from '../config/site.js';
import { parse, required, UsageError } from './args.js';

const USAGE = `usage: eveboot pki init --state DIR [--site FILE]
       eveboot pki show --state DIR
       eveboot pki export OUTDIR --state DIR
  init            create the appliance PKI in DIR if it has none (idempotent) and print the fingerprints; the
                  root CA is named after the site in --site FILE (default: "eveboot")
  show            the SHA-256 fingerprints of the root CA and the controller's certs
  export          write the public certificates as PEM files to OUTDIR (never a private key)
  --state DIR     state directory (required)
  --site FILE     the site file whose name the new root CA takes (init only)`;

export function printFingerprints(pki: Pki, out: (s: string) => void): void {
  for (const [role, fp] of Object.entries(fingerprints(pki))) out(`${role.padEnd(8)} SHA256 ${fp}`);
}

/** For commands that may run on a fresh station: make the PKI when missing, and say so. */
export async function pkiFor(state: string, site: string, out: (s: string) => void): Promise<Pki> {
  const { pki, created } = await ensurePki(state, site);
  if (created) {
    out(`created a new appliance PKI in ${join(state, 'pki')} (no serve has run on this state dir yet):`);
    printFingerprints(pki, (s) => out(`  ${s}`));
  }
  return pki;
}

export async function pkiCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const opts = { state: { type: 'string' as const }, site: { type: 'string' as const } };
  const { values, positionals } = parse(argv, opts, USAGE);
  const [sub, dir] = positionals;
  const state = required(values.state, 'state', USAGE);
  if (sub === 'init') {
    const { pki, created } = await ensurePki(state, values.site ? loadSite(values.site).site.name : 'eveboot');
    out(created ? `created the appliance PKI in ${join(state, 'pki')}` : `PKI already in ${join(state, 'pki')}: kept`);
    printFingerprints(pki, out);
    return 0;
  }
  const pki = loadPki(join(state, 'pki'));
  if (sub === 'show') {
    printFingerprints(pki, out);
    out(`subject  ${pki.root.cert.subject.replace(/\n/g, ', ')}`);
    out(`valid    ${pki.root.cert.validFrom} → ${pki.root.cert.validTo}`);
    return 0;
  }
  if (sub === 'export' && dir) {
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      'root-certificate.pem': pki.root.certPem,
      'v2tlsbaseroot-certificates.pem': pki.root.certPem,
      'controller-signing.pem': pki.signing.certPem,
      'controller-ecdh.pem': pki.ecdh.certPem,
      'controller-tls.pem': pki.tls.certPem,
      'onboard.cert.pem': pki.onboard.certPem,
    };
    for (const [name, pem] of Object.entries(files)) writeFileSync(join(dir, name), pem);
    out(`wrote ${Object.keys(files).length} public certificates to ${dir}`);
    return 0;
  }
  throw new UsageError(USAGE);
}
