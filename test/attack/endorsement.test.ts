// onboarding.tpmVendorCa: an endorsement cert must be issued by one of the site's TPM vendor CAs.
import 'reflect-metadata';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZAttestReqSchema, ZAttestReqType } from '../../src/gen/attest/attest_pb.js';
import { ZCertType } from '../../src/gen/certs/certs_pb.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { certFor } from '../support/quote-fixture.js';
import { simDevice } from '../support/sim-fleet.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function vendorCa() {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test TPM Vendor EK Root',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys: {
      privateKey: await webcrypto.subtle.importKey(
        'pkcs8',
        keys.privateKey.export({ format: 'der', type: 'pkcs8' }),
        alg,
        true,
        ['sign'],
      ),
      publicKey: await webcrypto.subtle.importKey(
        'spki',
        keys.publicKey.export({ format: 'der', type: 'spki' }),
        alg,
        true,
        ['verify'],
      ),
    },
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { certPem: cert.toString('pem'), keyPem: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

const ekPublic = () =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

describe('endorsement cert against the site TPM vendor CA bundle', () => {
  let t: TestAppliance;
  let dev: SimDevice;
  let ca: { certPem: string; keyPem: string };
  beforeAll(async () => {
    ca = await vendorCa();
    const dir = mkdtempSync(join(tmpdir(), 'eveboot-vendor-'));
    writeFileSync(join(dir, 'vendors.pem'), ca.certPem);
    t = await startTestAppliance({ site: `${TEST_SITE}onboarding: { tpmVendorCa: ${join(dir, 'vendors.pem')} }\n` });
    dev = simDevice(t, 'SN-A');
    await dev.onboard();
  });
  afterAll(async () => t?.stop());

  const uploadEk = (pem: string) =>
    dev.post(
      'attest',
      toBinary(
        ZAttestReqSchema,
        create(ZAttestReqSchema, {
          reqType: ZAttestReqType.ATTEST_REQ_CERT,
          certs: [{ type: ZCertType.CERT_TYPE_DEVICE_ENDORSEMENT_RSA, cert: Buffer.from(pem), hashAlgo: 1 }],
        }),
      ),
    );

  it('an EK cert the device signed itself (what tpmmgr uploads) is refused with 403', async () => {
    const selfIssued = await certFor(ekPublic(), {
      keyPem: dev.identity!.deviceKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      certPem: dev.identity!.deviceCertPem,
    });
    const r = await uploadEk(selfIssued);
    expect(r.status).toBe(403);
    expect(r.body.toString()).toMatch(/vendor CA/);
    expect(t.app.store.deviceByUuid(dev.uuid!)!.ekCertPem).toBeUndefined();
  });

  it('an EK cert issued by the vendor CA is kept', async () => {
    const good = await certFor(ekPublic(), ca);
    expect((await uploadEk(good)).status).toBe(201);
    expect(t.app.store.deviceByUuid(dev.uuid!)!.ekCertPem).toBe(good);
  });
});
