// The real swtpm quote in test/core/eve/fixtures/swtpm-quote.json, and a cert for any public key (the way
// tpmmgr issues the attestation cert: signed by the device key), for attestation tests.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { TpmHashAlgo } from '../../src/gen/attest/attest_pb.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const raw = JSON.parse(readFileSync(new URL('../core/eve/fixtures/swtpm-quote.json', import.meta.url), 'utf8')) as {
  nonce: string;
  akPublicPem: string;
  attestData: string;
  signature: string;
  pcrsSha256: string[];
};

export const swtpmQuote = {
  nonce: raw.nonce,
  akPublicPem: raw.akPublicPem,
  attestData: new Uint8Array(Buffer.from(raw.attestData, 'hex')),
  signature: new Uint8Array(Buffer.from(raw.signature, 'hex')),
  pcrValues: raw.pcrsSha256.map((v, index) => ({
    index,
    hashAlgo: TpmHashAlgo.SHA256,
    value: new Uint8Array(Buffer.from(v, 'hex')),
  })),
};

/** A cert for the given SPKI PEM, issued by a fresh P-256 key (or the given issuer). */
export async function certFor(publicKeyPem: string, issuer?: { keyPem: string; certPem: string }): Promise<string> {
  const issuerKey = issuer
    ? issuer.keyPem
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString();
  const pkcs8 = createPrivateKey(issuerKey).export({ format: 'der', type: 'pkcs8' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ALG, true, ['sign']);
  const subjectKey = createPublicKey(publicKeyPem);
  const spki = subjectKey.export({ format: 'der', type: 'spki' });
  const subjectAlg = subjectKey.asymmetricKeyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : ALG;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '0a',
    subject: 'CN=Device Attestation certificate',
    issuer: issuer ? new x509.X509Certificate(issuer.certPem).subject : 'CN=EVE',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey: await webcrypto.subtle.importKey('spki', spki, subjectAlg, true, ['verify']),
    signingKey,
    signingAlgorithm: ALG,
  });
  return cert.toString('pem');
}
