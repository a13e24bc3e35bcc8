// A token sealed by the appliance is recovered inside swtpm with TPM2_ECDH_ZGen (tpm2_ecdhzgen on the key at
// 0x81000005), and the decrypted EncryptionBlock.cluster_token equals the minted token.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { startSwtpm } from '../../src/adapters/swtpm.js';
import type { Tpm } from '../../src/ports/tpm.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { prereq } from '../support/prereq.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const p = prereq('swtpm sealing e2e', {
  tools: ['swtpm', 'tpm2_createprimary', 'tpm2_ecdhzgen', 'tpm2_readpublic', 'tpm2_quote', 'tpm2_pcrread'],
});

describe.skipIf(!p.ok)('three devices with swtpm-held ECDH keys recover the sealed token', () => {
  let t: TestAppliance;
  const tpms: Tpm[] = [];

  beforeAll(async () => {
    t = await startTestAppliance();
    for (let i = 0; i < 3; i++)
      tpms.push(await startSwtpm({ stateDir: mkdtempSync(join(tmpdir(), 'eveboot-swtpm-')) }));
  });
  afterAll(async () => {
    await Promise.all(tpms.map((x) => x.close()));
    await t?.stop();
  });

  it('onboards, attests with the TPM ECDH cert, and decrypts inside swtpm', async () => {
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s, i) => simDevice(t, s, tpms[i]));
    await onboardFleet(t, devices);
    const minted = openSecretBox(join(t.stateDir, 'keys', 'state.key')).open(
      t.app.store.cluster('test-cluster')!.tokenCiphertext,
    );
    for (const d of devices) {
      expect(await d.pollConfig()).toBe(200);
      expect(await d.clusterToken()).toBe(minted);
    }
    expect(tpms.every((x) => x.kind === 'swtpm')).toBe(true);
    // onboarding.tpm defaults to required: each passed with a signed quote verified against its attestation cert
    // (the simulator's quote key; a quote made inside swtpm is proven in test/attack/attest.test.ts).
    const attested = t.app.store.events(0, 1000).filter((e) => e.type === 'eve.attested');
    expect(attested.map((e) => [e.data.signed, e.data.tpm])).toEqual(Array(3).fill([true, 'required']));
    expect(t.app.store.devices().every((d) => d.quoteVerifiedAt !== undefined)).toBe(true);
  });
});
