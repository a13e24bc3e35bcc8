// The appliance PKI, created at first start and kept in <state>/pki (keys mode 0600):
// a P-256 root CA; a controller signing cert and a controller ECDH cert chained to it with serverAuth EKU
// (EVE verifies both with Go's x509.Verify defaults, eve-api-facts §3.4); a TLS server cert with the serving
// IPs as SANs; and the onboarding cert/key that goes into each node's CONFIG partition.
// node:crypto makes the keys; @peculiar/x509 builds the certificates (node-forge has no EC support).
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvebootError } from '../core/errors.js';
import { CLIENT_AUTH, importPair, issue, newPair, SERVER_AUTH, x509 } from './x509-issue.js';

export type CertRole = 'root' | 'signing' | 'ecdh' | 'tls' | 'onboard';

export interface Credential {
  certPem: string;
  keyPem: string;
  key: KeyObject;
  cert: X509Certificate;
}

export interface Pki {
  dir: string;
  root: Credential;
  signing: Credential;
  ecdh: Credential;
  tls: Credential;
  onboard: Credential;
}

function save(dir: string, role: CertRole, certPem: string, keyPem: string): Credential {
  writeFileSync(join(dir, `${role}.cert.pem`), certPem, { mode: 0o644 });
  writeFileSync(join(dir, `${role}.key.pem`), keyPem, { mode: 0o600 });
  chmodSync(join(dir, `${role}.key.pem`), 0o600);
  return load(dir, role);
}

function load(dir: string, role: CertRole): Credential {
  const certPem = readFileSync(join(dir, `${role}.cert.pem`), 'utf8');
  const keyPem = readFileSync(join(dir, `${role}.key.pem`), 'utf8');
  return { certPem, keyPem, key: createPrivateKey(keyPem), cert: new X509Certificate(certPem) };
}

/** Loads the PKI from dir, creating what is missing. The TLS cert is re-issued when the SAN list changes. */
export async function loadOrCreatePki(dir: string, opts: { site: string; sans: string[] }): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const have = (role: CertRole) =>
    existsSync(join(dir, `${role}.cert.pem`)) && existsSync(join(dir, `${role}.key.pem`));
  const rootName = `CN=eveboot root CA ${opts.site}, O=eveboot`;
  if (!have('root')) {
    const { pair, keyPem } = await newPair();
    const pem = await issue({
      subject: rootName,
      pair,
      ca: true,
      usages: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
      years: 20,
    });
    save(dir, 'root', pem, keyPem);
  }
  const root = load(dir, 'root');
  const rootPair = await importPair(root.keyPem);
  const issuer = { name: new x509.X509Certificate(root.certPem).subject, key: rootPair.privateKey };
  const leaf = async (role: CertRole, cn: string, usages: x509.KeyUsageFlags, eku: string[], sans?: string[]) => {
    const { pair, keyPem } = await newPair();
    const pem = await issue({ subject: `CN=${cn}, O=eveboot`, pair, issuer, usages, eku, sans, years: 10 });
    return save(dir, role, pem, keyPem);
  };
  const sign = x509.KeyUsageFlags.digitalSignature;
  if (!have('signing')) await leaf('signing', `eveboot controller signing ${opts.site}`, sign, [SERVER_AUTH]);
  if (!have('ecdh')) {
    await leaf('ecdh', `eveboot controller ECDH ${opts.site}`, sign | x509.KeyUsageFlags.keyAgreement, [SERVER_AUTH]);
  }
  if (!have('onboard')) await leaf('onboard', `eveboot onboarding ${opts.site}`, sign, [CLIENT_AUTH]);
  const sans = [...new Set(['localhost', '127.0.0.1', ...opts.sans])].sort();
  if (!have('tls') || tlsSans(load(dir, 'tls').cert).join(',') !== sans.join(',')) {
    await leaf('tls', `eveboot controller ${opts.site}`, sign, [SERVER_AUTH], sans);
  }
  return {
    dir,
    root,
    signing: load(dir, 'signing'),
    ecdh: load(dir, 'ecdh'),
    tls: load(dir, 'tls'),
    onboard: load(dir, 'onboard'),
  };
}

function tlsSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((s) => s.replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean)
    .sort();
}

/**
 * The PKI of a state dir, created when there is none yet (`pki init`, and `usb build`/`token seal` on a station
 * that prepares media before any serve has run). `created` says whether this call made it.
 */
export async function ensurePki(stateDir: string, site: string): Promise<{ pki: Pki; created: boolean }> {
  const dir = join(stateDir, 'pki');
  const created = !existsSync(join(dir, 'root.cert.pem'));
  if (created) mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return { pki: await loadOrCreatePki(dir, { site, sans: [] }), created };
}

/** Loads an existing PKI without changing anything (for pki show/export and offline sealing). */
export function loadPki(dir: string): Pki {
  const roles: CertRole[] = ['root', 'signing', 'ecdh', 'tls', 'onboard'];
  const missing = roles.filter((r) => !existsSync(join(dir, `${r}.cert.pem`)));
  if (missing.length > 0)
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_FOUND',
      `no PKI in ${dir} (missing ${missing.join(', ')}): run eveboot serve first`,
    );
  return {
    dir,
    root: load(dir, 'root'),
    signing: load(dir, 'signing'),
    ecdh: load(dir, 'ecdh'),
    tls: load(dir, 'tls'),
    onboard: load(dir, 'onboard'),
  };
}

/** SHA-256 fingerprints of the public certificates, for `eveboot pki show` and the UI header. */
export function fingerprints(pki: Pki): Record<CertRole, string> {
  return {
    root: pki.root.cert.fingerprint256,
    signing: pki.signing.cert.fingerprint256,
    ecdh: pki.ecdh.cert.fingerprint256,
    tls: pki.tls.cert.fingerprint256,
    onboard: pki.onboard.cert.fingerprint256,
  };
}
