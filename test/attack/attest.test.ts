// The attacker on the boot LAN knows the serials and can speak EVE's API; these tests play them against a
// real appliance (onboarding.tpm from the site) and check that no integrity token, and so no config, results.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { startSwtpm } from '../../src/adapters/swtpm.js';
import {
  TpmHashAlgo,
  type ZAttestQuote,
  ZAttestReqSchema,
  ZAttestReqType,
  ZAttestResponseCode,
  ZAttestResponseSchema,
} from '../../src/gen/attest/attest_pb.js';
import type { Tpm } from '../../src/ports/tpm.js';
import { quoteRequest } from '../../src/sim/eve-attest.js';
import { SIM_VERSIONS, type SimDevice } from '../../src/sim/eve-device.js';
import { verifySigned } from '../../src/sim/eve-verify.js';
import { ovmfBootEvents } from '../../src/sim/tpm-eventlog.js';
import { startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { prereq } from '../support/prereq.js';
import { certFor } from '../support/quote-fixture.js';
import { simDevice } from '../support/sim-fleet.js';

type QuoteInit = Parameters<typeof create<typeof ZAttestReqSchema>>[1];

async function attestCall(d: SimDevice, init: QuoteInit) {
  const r = await d.post('attest', toBinary(ZAttestReqSchema, create(ZAttestReqSchema, init)));
  expect(r.status).toBe(201);
  return fromBinary(ZAttestResponseSchema, verifySigned(r.body, d.trust!));
}
const nonceOf = async (d: SimDevice) =>
  (await attestCall(d, { reqType: ZAttestReqType.ATTEST_REQ_NONCE })).nonce!.nonce;
const quoteWith = async (d: SimDevice, quote: Partial<ZAttestQuote>) =>
  (await attestCall(d, { reqType: ZAttestReqType.ATTEST_REQ_QUOTE, quote })).quoteResp!;
/** The genuine quote this simulated node would send for nonce (its quote key, measured-boot PCRs). */
async function tpmQuote(d: SimDevice, nonce: Uint8Array) {
  const req = quoteRequest({
    id: d.identity!,
    nonce,
    versions: SIM_VERSIONS,
    events: ovmfBootEvents(SIM_VERSIONS.eve),
  });
  const q = req.quote!;
  return { attestData: q.attestData, signature: q.signature, pcrValues: q.pcrValues };
}

describe('attestation under onboarding.tpm: required (the default for a site file)', () => {
  let t: TestAppliance;
  let dev: SimDevice;
  beforeAll(async () => {
    t = await startTestAppliance();
    dev = simDevice(t, 'SN-A');
    await dev.onboard();
  });
  afterAll(async () => t?.stop());

  it('an empty quote (what EVE sends without a TPM) gets QUOTE_FAILED, no token, and config stays 403', async () => {
    await nonceOf(dev);
    const resp = await quoteWith(dev, {});
    expect(ZAttestResponseCode[resp.response]).toBe('QUOTE_FAILED');
    expect(resp.integrityToken.length).toBe(0);
    expect(t.app.store.deviceByUuid(dev.uuid!)?.integrityToken).toBeUndefined();
    await expect(dev.pollConfig()).rejects.toThrow(/HTTP 403/);
  });

  it('a genuine quote passes; the token is kept only hashed; a replay of that quote under a new nonce fails', async () => {
    await dev.attest();
    const stored = t.app.store.deviceByUuid(dev.uuid!)!;
    expect(stored.quoteVerifiedAt).toBeTypeOf('number');
    const token = Buffer.from(dev.integrityToken!).toString('hex');
    expect(JSON.stringify(t.app.store.devices())).not.toContain(token);
    expect(await dev.pollConfig()).toBe(200);

    const old = await tpmQuote(dev, await nonceOf(dev));
    await nonceOf(dev); // the attacker asks for a fresh nonce and replays the old quote
    const resp = await quoteWith(dev, old);
    expect(ZAttestResponseCode[resp.response]).toBe('NONCE_MISMATCH');
  });

  it('a quote over the right nonce but with PCR values edited to look clean fails', async () => {
    const q = await tpmQuote(dev, await nonceOf(dev));
    q.pcrValues[7]!.value = new Uint8Array(32).fill(0xaa);
    expect(ZAttestResponseCode[(await quoteWith(dev, q)).response]).toBe('QUOTE_FAILED');
  });

  it('a refused quote uses up its nonce: a second try against the same nonce is a mismatch', async () => {
    const nonce = await nonceOf(dev);
    const good = await tpmQuote(dev, nonce);
    const bad = { ...good, pcrValues: good.pcrValues.map((p) => ({ ...p, value: new Uint8Array(32).fill(1) })) };
    expect(ZAttestResponseCode[(await quoteWith(dev, bad)).response]).toBe('QUOTE_FAILED');
    expect(ZAttestResponseCode[(await quoteWith(dev, good)).response]).toBe('NONCE_MISMATCH');
  });

  it('a quote from another TPM (a software key) than the attestation cert on file fails', async () => {
    const other = createSoftTpm();
    const nonce = await nonceOf(dev);
    const q = await other.quote(nonce);
    const resp = await quoteWith(dev, {
      attestData: q.attestData,
      signature: q.signature,
      pcrValues: q.pcrs.map((p) => ({ index: p.index, hashAlgo: TpmHashAlgo.SHA256, value: p.value })),
    });
    expect(ZAttestResponseCode[resp.response]).toBe('QUOTE_FAILED');
  });

  it('after a signed quote the device cannot swap in another attestation cert (409)', async () => {
    const before = t.app.store.deviceByUuid(dev.uuid!)!.attestCertPem;
    const evil = simDevice(t, 'SN-B');
    await evil.onboard(); // only to mint a second identity with its own AK cert
    const r = await dev.post(
      'attest',
      toBinary(
        ZAttestReqSchema,
        create(ZAttestReqSchema, {
          reqType: ZAttestReqType.ATTEST_REQ_CERT,
          certs: [{ type: 11, cert: Buffer.from(evil.identity!.attestCertPem), hashAlgo: 1 }],
        }),
      ),
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(t.app.store.deviceByUuid(dev.uuid!)!.attestCertPem).toBe(before);
  });
});

describe('attestation under onboarding.tpm: preferred', () => {
  let t: TestAppliance;
  beforeAll(async () => {
    t = await startTestAppliance({ site: `${TEST_SITE}onboarding: { tpm: preferred }\n` });
  });
  afterAll(async () => t?.stop());

  it('a device with no TPM evidence passes with an empty quote', async () => {
    const d = simDevice(t, 'SN-A');
    await d.onboard();
    await nonceOf(d);
    expect(ZAttestResponseCode[(await quoteWith(d, {})).response]).toBe('SUCCESS');
  });

  it('no downgrade: once a device sent a signed quote, an empty one is refused', async () => {
    const d = simDevice(t, 'SN-B');
    await d.onboard();
    await d.attest();
    await nonceOf(d);
    const resp = await quoteWith(d, {});
    expect(ZAttestResponseCode[resp.response]).toBe('QUOTE_FAILED');
    const failed = t.app.store.events(0, 1000).filter((e) => e.type === 'eve.attest.failed' && e.node === d.uuid);
    expect(failed.at(-1)?.data.reason).toMatch(/signed quote|attestation cert/);
  });
});

const sw = prereq('swtpm quote attestation', { tools: ['swtpm', 'tpm2_quote', 'tpm2_pcrread', 'tpm2_createprimary'] });

describe.skipIf(!sw.ok)('a real TPM2_Quote from swtpm (required)', () => {
  let t: TestAppliance;
  let tpm: Tpm;
  let dev: SimDevice;
  beforeAll(async () => {
    t = await startTestAppliance();
    tpm = await startSwtpm({ stateDir: mkdtempSync(join(tmpdir(), 'eveboot-swtpm-q-')) });
    dev = simDevice(t, 'SN-C');
    await dev.onboard();
    // tpmmgr createQuoteCertOnTpm: the quote key's cert, issued by the device key.
    const issuer = {
      keyPem: dev.identity!.deviceKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      certPem: dev.identity!.deviceCertPem,
    };
    const akCert = await certFor(await tpm.attestationKeyPem(), issuer);
    const cert = { type: 11, cert: Buffer.from(akCert), hashAlgo: 1 };
    await attestCall(dev, { reqType: ZAttestReqType.ATTEST_REQ_CERT, certs: [cert] });
  }, 60_000);
  afterAll(async () => {
    await tpm?.close();
    await t?.stop();
  });

  const swQuote = async (nonce: Uint8Array) => {
    const q = await tpm.quote(nonce);
    const pcrValues = q.pcrs.map((p) => ({ index: p.index, hashAlgo: TpmHashAlgo.SHA256, value: p.value }));
    return { attestData: q.attestData, signature: q.signature, pcrValues };
  };

  it('passes as a signed quote', async () => {
    const resp = await quoteWith(dev, await swQuote(await nonceOf(dev)));
    expect(ZAttestResponseCode[resp.response]).toBe('SUCCESS');
    expect(t.app.store.deviceByUuid(dev.uuid!)!.quoteVerifiedAt).toBeTypeOf('number');
  });

  it('the same swtpm quote with one PCR value edited fails', async () => {
    const q = await swQuote(await nonceOf(dev));
    q.pcrValues[0]!.value = new Uint8Array(32).fill(0x55);
    expect(ZAttestResponseCode[(await quoteWith(dev, q)).response]).toBe('QUOTE_FAILED');
  });
});
