// The appliance PKI, created at first start and kept in <state>/pki (keys mode 0600):
// a P-256 root CA; a controller signing cert and a controller ECDH cert chained to it with serverAuth EKU
// (EVE verifies both with Go's x509.Verify defaults, eve-api-facts §3.4); a TLS server cert with the serving
// IPs as SANs; and the onboarding cert/key that goes into each node's CONFIG partition.
// node:crypto makes the keys; @peculiar/x509 builds the certificates (node-forge has no EC support).
import 'reflect-metadata';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR_MS = 365 * 24 * 3600 * 1000;

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

interface PairLike {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function newPair(): Promise<{ pair: PairLike; keyPem: string }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { pair: await importPair(keyPem), keyPem };
}

export async function importPair(keyPem: string): Promise<PairLike> {
  const priv = createPrivateKey(keyPem);
  const pkcs8 = priv.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  const s = webcrypto.subtle;
  return {
    privateKey: (await s.importKey('pkcs8', pkcs8, ALG, true, ['sign'])) as unknown as CryptoKey,
    publicKey: (await s.importKey('spki', spki, ALG, true, ['verify'])) as unknown as CryptoKey,
  };
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

export async function issue(opts: {
  subject: string;
  pair: PairLike;
  issuer?: { name: string; key: CryptoKey };
  ca?: boolean;
  usages: x509.KeyUsageFlags;
  eku?: string[];
  sans?: string[];
  /** SAN URIs (onboarding bindings, core/eve/onboard-admission.ts). */
  uris?: string[];
  years: number;
}): Promise<string> {
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.ca ?? false, opts.ca ? 0 : undefined, true),
    new x509.KeyUsagesExtension(opts.usages, true),
    await x509.SubjectKeyIdentifierExtension.create(opts.pair.publicKey),
  ];
  if (opts.eku) extensions.push(new x509.ExtendedKeyUsageExtension(opts.eku, false));
  const names = [
    ...(opts.sans ?? []).map((v) => (isIP(v) ? { type: 'ip' as const, value: v } : { type: 'dns' as const, value: v })),
    ...(opts.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: opts.subject,
    issuer: opts.issuer?.name ?? opts.subject,
    notBefore: new Date(now - 24 * 3600 * 1000),
    notAfter: new Date(now + opts.years * YEAR_MS),
    publicKey: opts.pair.publicKey,
    signingKey: opts.issuer?.key ?? opts.pair.privateKey,
    signingAlgorithm: ALG,
    extensions,
  });
  return cert.toString('pem');
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

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

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

/** Loads an existing PKI without changing anything (for pki show/export and offline sealing). */
export function loadPki(dir: string): Pki {
  const roles: CertRole[] = ['root', 'signing', 'ecdh', 'tls', 'onboard'];
  const missing = roles.filter((r) => !existsSync(join(dir, `${r}.cert.pem`)));
  if (missing.length > 0) throw new Error(`no PKI in ${dir} (missing ${missing.join(', ')}): run eveboot serve first`);
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
