// Making P-256 keys and X.509 certificates: node:crypto makes the keys, @peculiar/x509 builds the certificates
// (node-forge has no EC support). Used by the appliance PKI, the K3s admin kubeconfig and the K3s stand-in.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR_MS = 365 * 24 * 3600 * 1000;

export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface PairLike {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function newPair(): Promise<{ pair: PairLike; keyPem: string }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { pair: await importPair(keyPem), keyPem };
}

/** A P-256 private key (PKCS#8 or SEC1 PEM) as a WebCrypto pair; throws for any other key type. */
export async function importPair(keyPem: string): Promise<PairLike> {
  const priv = createPrivateKey(keyPem);
  if (priv.asymmetricKeyType !== 'ec' || priv.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(
      `expected a P-256 EC key, got ${priv.asymmetricKeyType} ${priv.asymmetricKeyDetails?.namedCurve ?? ''}`,
    );
  }
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

/** The issuer of certificates signed by a CA, from its cert and key PEM. */
export async function issuerOf(caCertPem: string, caKeyPem: string): Promise<{ name: string; key: CryptoKey }> {
  return { name: new x509.X509Certificate(caCertPem).subject, key: (await importPair(caKeyPem)).privateKey };
}

/** A certificate for pair, self-signed unless an issuer is given; valid from a day ago for `years`. */
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
  now?: number;
}): Promise<string> {
  const now = opts.now ?? Date.now();
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

export { x509 };
