// The cluster CA a K3s seed creates at its first start (k3s-facts.md, TLS), and the serving certs each server
// gets from it. Joiners receive the CA through /v1-k3s/server-bootstrap, as K3s servers do, so all three serve
// certs under one CA. node:crypto makes the keys; @peculiar/x509 builds the certs (as adapters/pki.ts does).
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

export interface ClusterCa {
  certPem: string;
  keyPem: string;
}

export interface ServingCert {
  certPem: string;
  keyPem: string;
}

async function pair(keyPem: string) {
  const priv = createPrivateKey(keyPem);
  const s = webcrypto.subtle;
  return {
    privateKey: await s.importKey('pkcs8', priv.export({ format: 'der', type: 'pkcs8' }), ALG, true, ['sign']),
    publicKey: await s.importKey('spki', createPublicKey(priv).export({ format: 'der', type: 'spki' }), ALG, true, [
      'verify',
    ]),
  };
}

function newKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** K3s names its server CA `k3s-server-ca@<unix seconds>`. */
export async function createClusterCa(now = Date.now()): Promise<ClusterCa> {
  const keyPem = newKeyPem();
  const keys = await pair(keyPem);
  const name = `CN=k3s-server-ca@${Math.floor(now / 1000)}`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: name,
    issuer: name,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    publicKey: keys.publicKey as never,
    signingKey: keys.privateKey as never,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem };
}

/** A serving cert for the supervisor on :6443 with the node's cluster IP (and the seed's tls-san) as SANs. */
export async function issueServingCert(ca: ClusterCa, sans: string[], now = Date.now()): Promise<ServingCert> {
  const keyPem = newKeyPem();
  const keys = await pair(keyPem);
  const caKeys = await pair(ca.keyPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: 'CN=k3s, O=k3s',
    issuer: new x509.X509Certificate(ca.certPem).subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    publicKey: keys.publicKey as never,
    signingKey: caKeys.privateKey as never,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1'], false),
      new x509.SubjectAlternativeNameExtension(
        [...new Set(sans)].map((v) =>
          isIP(v) ? { type: 'ip' as const, value: v } : { type: 'dns' as const, value: v },
        ),
      ),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem };
}
