// kill -9 of `eveboot serve`, then a restart on the same state dir: same PKI, same token, same device UUIDs,
// same plan, and nodes that were served a config get 304 (nothing changed for them).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { loadPki } from '../../src/adapters/pki.js';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { deviceInfo, standardNics } from '../../src/sim/sim-info.js';
import { type Child, eveboot, freePort } from '../support/process.js';

async function siteFile(dir: string): Promise<string> {
  const ports = { c: await freePort(), u: await freePort() };
  const path = join(dir, 'site.yaml');
  writeFileSync(
    path,
    `site: { name: restart }
cluster: { name: restart-cluster }
nodes: [{ serial: R-1 }, { serial: R-2 }, { serial: R-3 }]
listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${ports.c}, uiPort: ${ports.u} }
`,
  );
  return path;
}

describe('eveboot serve survives kill -9 and resumes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-restart-'));
  const state = join(dir, 'state');
  let child: Child | undefined;
  afterAll(() => child?.proc.kill('SIGKILL'));

  it('keeps PKI, token, UUIDs and plan across a SIGKILL', async () => {
    const site = await siteFile(dir);
    child = eveboot(['serve', '--state', state, '--site', site, '--no-netboot']);
    const line = await child.waitFor(/EVE controller/);
    const server = line.replace(/.*https:\/\/([^/]+)\/.*/, '$1');
    const root = readFileSync(join(state, 'pki', 'root.cert.pem'), 'utf8');
    const sims = ['R-1', 'R-2', 'R-3'].map(
      (serial) =>
        new SimDevice({
          server,
          rootCaPem: root,
          onboarding: () => onboardIssuer(loadPki(join(state, 'pki')).root)({ kind: 'medium', medium: `r-${serial}` }),
          serial,
          softSerial: '',
          tpm: createSoftTpm(),
        }),
    );
    for (const [i, s] of sims.entries()) {
      await s.onboard();
      await s.attest();
      await s.sendInfo(deviceInfo(s.opts.serial, standardNics(i + 1)));
    }
    for (const s of sims) expect(await s.pollConfig()).toBe(200);
    const before = {
      pki: readdirSync(join(state, 'pki')).map((f) => readFileSync(join(state, 'pki', f), 'utf8')),
      uuids: sims.map((s) => s.uuid),
      tokens: await Promise.all(sims.map((s) => s.clusterToken())),
      hashes: sims.map((s) => s.configHash),
    };

    child.proc.kill('SIGKILL');
    await child.exited;
    child = eveboot(['serve', '--state', state, '--site', site, '--no-netboot']);
    await child.waitFor(/EVE controller/);

    expect(readdirSync(join(state, 'pki')).map((f) => readFileSync(join(state, 'pki', f), 'utf8'))).toEqual(before.pki);
    for (const s of sims) expect(await s.pollConfig()).toBe(304);
    for (const s of sims) {
      s.client.uuid = undefined;
      await s.onboard();
    }
    expect(sims.map((s) => s.uuid)).toEqual(before.uuids);
    const box = openSecretBox(join(state, 'keys', 'state.key'));
    expect(before.tokens.every((tk) => tk === before.tokens[0])).toBe(true);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(state, 'eveboot.db'), { readonly: true });
    const cluster = JSON.parse((db.prepare('SELECT doc FROM clusters').get() as { doc: string }).doc);
    db.close();
    expect(box.open(cluster.tokenCiphertext)).toBe(before.tokens[0]);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });
});
