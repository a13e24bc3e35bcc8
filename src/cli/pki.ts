// eveboot pki show|export: fingerprints, and the public certificates as PEM files for a factory line or a
// node's CONFIG partition. Private keys never leave the state directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprints, loadPki } from '../adapters/pki.js';
import { parse, required, UsageError } from './args.js';

const USAGE = `usage: eveboot pki show --state DIR
       eveboot pki export OUTDIR --state DIR
  show            SHA-256 fingerprints of the root CA and the controller, TLS and onboarding certificates
  export OUTDIR   write the public certificates as PEM (no private key)
  --state DIR     state directory (required)`;

export async function pkiCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { state: { type: 'string' as const } }, USAGE);
  const [sub, dir] = positionals;
  const pki = loadPki(join(required(values.state, 'state', USAGE), 'pki'));
  if (sub === 'show') {
    for (const [role, fp] of Object.entries(fingerprints(pki))) out(`${role.padEnd(8)} SHA256 ${fp}`);
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
