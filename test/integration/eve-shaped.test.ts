// The controller against three nodes that attest exactly as TPM-equipped EVE does: cert upload (ECDH + quote
// cert), nonce, a signed quote with PCRs, versions and event log, then vault key escrow. Each must get its sealed
// config, with the config details EVE needs (context ids without '/', lowerLayerName, ha_scheme).
import { createDecipheriv } from 'node:crypto';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { reportCommand } from '../../src/cli/report.js';
import { ecdhPublicPoint } from '../../src/core/seal/ecdh-point.js';
import { deriveKey } from '../../src/core/seal/seal.js';
import { AttestStorageKeysResponseCode, AttestVolumeKeyDataSchema } from '../../src/gen/attest/attest_pb.js';
import { HAScheme } from '../../src/gen/config/edge_node_cluster_pb.js';
import type { SimDevice } from '../../src/sim/eve-device.js';
import { startTestAppliance, TEST_SITE, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

const AUTH = { authorization: 'Bearer test-access-token-0123456789' };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('with an EVE-shaped quote and escrow, three nodes get their sealed configs', () => {
  let t: TestAppliance;
  let devices: SimDevice[];

  beforeAll(async () => {
    t = await startTestAppliance();
    devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    for (const d of devices) expect(await d.pollConfig()).toBe(200);
  });
  afterAll(async () => t?.stop());

  it('each quote was accepted with its PCRs and each node escrowed its vault key', () => {
    const attested = t.app.store.events().filter((e) => e.type === 'eve.attested');
    expect(attested.map((e) => e.data.pcrs)).toEqual([24, 24, 24]);
    for (const d of devices) {
      const rec = t.app.store.deviceByUuid(d.uuid!)!;
      expect(rec.attestCertPem).toBe(d.identity!.attestCertPem);
      expect(rec.escrow?.keys).toEqual([{ keyType: 1, bytes: expect.any(Number) }]);
    }
  });

  it('each node decrypts the cluster token from its config', async () => {
    const box = openSecretBox(join(t.stateDir, 'keys', 'state.key'));
    const minted = box.open(t.app.store.cluster('test-cluster')!.tokenCiphertext);
    for (const d of devices) expect(await d.clusterToken()).toBe(minted);
  });

  it('cipher context ids are name-based UUIDs without "/", one per node, stable across config polls', async () => {
    const ids = devices.map((d) => d.config!.cipherContexts[0]!.contextId);
    for (const [i, d] of devices.entries()) {
      expect(ids[i]).toMatch(UUID_RE);
      expect(d.config!.cluster!.encryptedClusterToken!.cipherContextId).toBe(ids[i]);
      expect(await d.pollConfig()).toBe(304);
    }
    expect(new Set(ids).size).toBe(3);
  });

  it('every SystemAdapter names its PhysicalIO in lowerLayerName; ha_scheme is K3S_EMBEDDED', () => {
    for (const d of devices) {
      const cfg = d.config!;
      expect(cfg.systemAdapterList.length).toBeGreaterThan(0);
      for (const a of cfg.systemAdapterList) {
        expect(a.lowerLayerName).toBe(a.name);
        expect(cfg.deviceIoList.some((io) => io.logicallabel === a.lowerLayerName)).toBe(true);
      }
      expect(cfg.cluster!.haScheme).toBe(HAScheme.HA_SCHEME_K3S_EMBEDDED);
    }
  });

  it('a stale integrity token gets ITOKEN_MISMATCH and changes nothing', async () => {
    const d = devices[0]!;
    const before = t.app.store.deviceByUuid(d.uuid!)!.escrow;
    expect(await d.escrow(new Uint8Array(64).fill(1))).toBe(AttestStorageKeysResponseCode.ITOKEN_MISMATCH);
    expect(t.app.store.deviceByUuid(d.uuid!)!.escrow).toEqual(before);
    expect(await d.escrow()).toBe(AttestStorageKeysResponseCode.SUCCESS);
  });

  it('the operator exports the escrowed key, which the node TPM (and only it) unwraps to its vault key', async () => {
    const d = devices[1]!;
    const r = await t.app.operatorApi.inject({ method: 'GET', url: `/api/v1/devices/${d.uuid}/escrow`, headers: AUTH });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { keys: { keyType: string; key: string }[] };
    expect(body.keys.map((k) => k.keyType)).toEqual(['VSK']);
    const data = fromBinary(AttestVolumeKeyDataSchema, Buffer.from(body.keys[0]!.key, 'base64'));
    const key = deriveKey(await d.opts.tpm.ecdhZGen(ecdhPublicPoint(d.identity!.deviceCertPem)));
    const dec = createDecipheriv('aes-256-cfb', key, Buffer.alloc(16));
    expect(Buffer.concat([dec.update(data.encryptedKey), dec.final()])).toEqual(Buffer.from(d.vaultKey));
    expect(t.app.store.events().some((e) => e.type === 'operator.escrow.export' && e.node === d.uuid)).toBe(true);
    const anon = await t.app.operatorApi.inject({ method: 'GET', url: `/api/v1/devices/${d.uuid}/escrow` });
    expect(anon.statusCode).toBe(403);
  });

  it('eveboot report carries the key only with --include-escrow', () => {
    const plain: string[] = [];
    expect(reportCommand(['--state', t.stateDir], (s) => plain.push(s))).toBe(0);
    expect(plain.join('')).not.toContain('"escrow"');
    const withKeys: string[] = [];
    expect(reportCommand(['--state', t.stateDir, '--include-escrow'], (s) => withKeys.push(s))).toBe(0);
    const rows = JSON.parse(withKeys.join('')) as { eveUuid: string; escrow: { keyType: string; key: string }[] }[];
    for (const d of devices) {
      const row = rows.find((x) => x.eveUuid === d.uuid)!;
      expect(row.escrow.map((k) => k.keyType)).toEqual(['VSK']);
    }
  });
});

describe("EVE's no-TPM path: a quote with versions only, and no escrow", () => {
  let t: TestAppliance;
  beforeAll(async () => {
    // EVE without a TPM passes only where the site allows it (onboarding.tpm: preferred or off).
    t = await startTestAppliance({ site: `${TEST_SITE}onboarding: { tpm: preferred }\n` });
  });
  afterAll(async () => t?.stop());

  it('attests without PCRs, gets an integrity token, escrows nothing, and polls config', async () => {
    const d = simDevice(t, 'SN-A');
    d.opts.measuredBoot = false;
    await d.onboard();
    await d.attest();
    expect(d.integrityToken?.length).toBe(64);
    expect(t.app.store.events().find((e) => e.type === 'eve.attested')?.data.pcrs).toBe(0);
    expect(t.app.store.deviceByUuid(d.uuid!)!.escrow).toBeUndefined();
    expect(await d.pollConfig()).toBe(200);
    const r = await t.app.operatorApi.inject({ method: 'GET', url: `/api/v1/devices/${d.uuid}/escrow`, headers: AUTH });
    expect(r.statusCode).toBe(404);
  });
});
