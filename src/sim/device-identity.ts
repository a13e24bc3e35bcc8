// A simulated EVE device's identity, made the way EVE's tpmmgr makes it (eve-api-facts §2.5): a self-signed
// P-256 device cert (CN EVE, IsCA), and an ECDH cert issued by the device key for the key held by the TPM
// (soft or swtpm) at 0x81000005.
import 'reflect-metadata';
import { generateKeyPairSync, type KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Tpm } from '../ports/tpm.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface DeviceIdentity {
  deviceKey: KeyObject;
  deviceCertPem: string;
  /** The ECDH cert file bytes as EVE keeps them in /persist/certs/ecdh.cert.pem. */
  ecdhCertPem: string;
  /** The quote key (EVE: TPM handle 0x81000004) and its cert, /persist/certs/attest.cert.pem. */
  attestKey: KeyObject;
  attestCertPem: string;
}

async function toCrypto(key: KeyObject, usage: 'sign' | 'verify') {
  const format = usage === 'sign' ? 'pkcs8' : 'spki';
  const der = key.export({ format: 'der', type: format });
  return webcrypto.subtle.importKey(format, der, ALG, true, [usage]);
}

export async function createDeviceIdentity(tpm: Tpm): Promise<DeviceIdentity> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signingKey = await toCrypto(privateKey, 'sign');
  const now = Date.now();
  const validity = { notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 20 * 365 * 86_400_000) };
  const deviceCert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: 'CN=EVE, O=The Linux Foundation',
    issuer: 'CN=EVE, O=The Linux Foundation',
    ...validity,
    publicKey: await toCrypto(publicKey, 'verify'),
    signingKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']),
    ],
  });
  const point = await tpm.ecdhPublicKey();
  const ecdhPublic = await webcrypto.subtle.importKey('raw', point, ALG, true, ['verify']);
  const ecdhCert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Device ECDH certificate',
    issuer: deviceCert.subject,
    ...validity,
    publicKey: ecdhPublic,
    signingKey,
    signingAlgorithm: ALG,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyAgreement, true)],
  });
  // tpmmgr createQuoteTemplate: CN "Device Attestation certificate", signed by the device key.
  const quote = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const attestCert = await x509.X509CertificateGenerator.create({
    serialNumber: '03',
    subject: 'C=US, ST=CA, L=San Francisco, O=The Linux Foundation, CN=Device Attestation certificate',
    issuer: deviceCert.subject,
    ...validity,
    publicKey: await toCrypto(quote.publicKey, 'verify'),
    signingKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.digitalSignature),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
    ],
  });
  return {
    deviceKey: privateKey,
    deviceCertPem: deviceCert.toString('pem'),
    ecdhCertPem: ecdhCert.toString('pem'),
    attestKey: quote.privateKey,
    attestCertPem: attestCert.toString('pem'),
  };
}
