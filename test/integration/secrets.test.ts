// The join token, private keys and escrowed vault keys appear nowhere in the logs, the API answers (the audited
// escrow export aside), or the database files.
import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { openEscrow } from '../../src/core/eve/escrow.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { onboardFleet, simDevice } from '../support/sim-fleet.js';

describe('secrets never leak', () => {
  let t: TestAppliance;
  let secrets: { name: string; value: string }[];
  let apiText = '';

  beforeAll(async () => {
    t = await startTestAppliance();
    const devices = ['SN-A', 'SN-B', 'SN-C'].map((s) => simDevice(t, s));
    await onboardFleet(t, devices);
    for (const d of devices) await d.pollConfig();
    const token = openSecretBox(join(t.stateDir, 'keys', 'state.key')).open(
      t.app.store.cluster('test-cluster')!.tokenCiphertext,
    );
    expect(await devices[0]!.clusterToken()).toBe(token);
    secrets = [{ name: 'join token', value: token }];
    // The vault key each node escrowed (STORE_KEYS): the wrapped blob as sent, and the clear key behind it.
    const box = openSecretBox(join(t.stateDir, 'keys', 'state.key'));
    for (const d of devices) {
      const escrow = t.app.store.deviceByUuid(d.uuid!)!.escrow;
      expect(escrow, 'escrowed').toBeDefined();
      for (const k of openEscrow(escrow!, box))
        secrets.push({ name: `escrowed key of ${d.opts.serial}`, value: k.key });
      secrets.push({ name: `vault key of ${d.opts.serial}`, value: Buffer.from(d.vaultKey).toString('hex') });
      secrets.push({
        name: `vault key of ${d.opts.serial} (base64)`,
        value: Buffer.from(d.vaultKey).toString('base64'),
      });
    }
    const pkiDir = join(t.stateDir, 'pki');
    for (const f of readdirSync(pkiDir).filter((f) => f.endsWith('.key.pem'))) {
      const pem = readFileSync(join(pkiDir, f), 'utf8');
      const d = createPrivateKey(pem).export({ format: 'jwk' }).d!;
      secrets.push({ name: `${f} PEM body`, value: pem.split('\n')[1]! });
      secrets.push({ name: `${f} scalar (base64url)`, value: d });
      secrets.push({ name: `${f} scalar (hex)`, value: Buffer.from(d, 'base64url').toString('hex') });
    }
    const auth = { authorization: 'Bearer test-access-token-0123456789' };
    const urls = [
      '/api/v1/site',
      '/api/v1/devices',
      '/api/v1/clusters',
      '/api/v1/events',
      '/api/v1/machines',
      '/api/v1/snapshot',
      '/api/v1/report',
      '/api/v1/report?format=csv',
      '/metrics',
      '/api/v1/openapi.json',
    ];
    for (const d of t.app.store.devices()) urls.push(`/api/v1/devices/${d.uuid}`);
    for (const url of urls) {
      const r = await t.app.operatorApi.inject({ method: 'GET', url, headers: auth });
      expect(r.statusCode).toBe(200);
      apiText += r.body;
    }
  });
  afterAll(async () => t?.stop());

  it('the operator API refuses a request without the access token', async () => {
    const r = await t.app.operatorApi.inject({ method: 'GET', url: '/api/v1/devices' });
    expect(r.statusCode).toBe(403);
  });

  it('no secret in the log', () => {
    const log = t.logLines.join('');
    expect(log.length).toBeGreaterThan(1000);
    for (const s of secrets) expect(log.includes(s.value), s.name).toBe(false);
  });

  it('no secret in any API answer', () => {
    expect(apiText).toContain('tokenSealedFor');
    for (const s of secrets) expect(apiText.includes(s.value), s.name).toBe(false);
  });

  it('no secret in the per-device record log', () => {
    const log = join(t.stateDir, 'records.jsonl');
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    for (const s of secrets) expect(text.includes(s.value), s.name).toBe(false);
  });

  it('no secret in the database files, in plain text or hex', () => {
    const files = readdirSync(t.stateDir).filter((f) => f.startsWith('eveboot.db'));
    expect(files).toContain('eveboot.db');
    const raw = files.map((f) => readFileSync(join(t.stateDir, f)).toString('latin1')).join('');
    for (const s of secrets) {
      expect(raw.includes(s.value), s.name).toBe(false);
      expect(raw.includes(Buffer.from(s.value).toString('hex')), `${s.name} hex`).toBe(false);
      expect(raw.includes(Buffer.from(s.value).toString('base64')), `${s.name} base64`).toBe(false);
    }
  });

  it('key files are mode 0600', () => {
    const pkiDir = join(t.stateDir, 'pki');
    for (const f of readdirSync(pkiDir).filter((f) => f.endsWith('.key.pem'))) {
      expect(statSync(join(pkiDir, f)).mode & 0o777, f).toBe(0o600);
    }
  });
});
