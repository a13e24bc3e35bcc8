// kill -9 of `eveboot serve` while the three nodes keep polling and reporting (under load), then a restart on
// the same state dir: same PKI, same token (hash), device UUIDs, plan and sealed blocks, and every node's
// config hash is the one it had: polls after the restart are 304 (nothing changed for them).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { deviceInfo, standardNics } from '../../src/sim/sim-info.js';
import { durableState, expectKept } from '../support/durable-state.js';
import { type Child, eveboot, freePort } from '../support/process.js';
import { onboardedNodes } from '../support/serve-nodes.js';

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

  it('keeps PKI, token, UUIDs, plan, sealed blocks and config hashes across a SIGKILL under load', async () => {
    const site = await siteFile(dir);
    child = eveboot(['serve', '--state', state, '--site', site, '--no-netboot']);
    const line = await child.waitFor(/EVE controller/);
    const server = line.replace(/.*https:\/\/([^/]+)\/.*/, '$1');
    const sims = await onboardedNodes(state, server, ['R-1', 'R-2', 'R-3']);
    for (const s of sims) expect(await s.pollConfig()).toBe(200);
    const before = {
      pki: readdirSync(join(state, 'pki')).map((f) => readFileSync(join(state, 'pki', f), 'utf8')),
      uuids: sims.map((s) => s.uuid),
      tokens: await Promise.all(sims.map((s) => s.clusterToken())),
      hashes: sims.map((s) => s.configHash),
      durable: durableState(state),
    };
    expect(before.tokens.every((tk) => tk === before.tokens[0])).toBe(true);
    expect(Object.keys(before.durable.sealed)).toHaveLength(3);
    expect(before.durable.clusters['restart-cluster']!.plan).not.toBe('');

    // Load: every node polls its config and reports info back to back, through the kill and the restart.
    let stop = false;
    const answered = { before: 0, after: 0 };
    let restarted = false;
    const hashesSeen = new Set<string>();
    const load = sims.map(async (s, i) => {
      while (!stop) {
        try {
          await s.pollConfig();
          await s.sendInfo(deviceInfo(s.opts.serial, standardNics(i + 1)));
          hashesSeen.add(s.configHash);
          answered[restarted ? 'after' : 'before']++;
        } catch {
          await new Promise((r) => setTimeout(r, 20)); // the appliance is down: retry, as EVE does
        }
      }
    });
    const loaded = async (key: 'before' | 'after') => {
      for (const start = answered[key]; answered[key] < start + 6; ) await new Promise((r) => setTimeout(r, 10));
    };
    await loaded('before');
    child.proc.kill('SIGKILL');
    await child.exited;
    const killed = durableState(state);
    child = eveboot(['serve', '--state', state, '--site', site, '--no-netboot']);
    await child.waitFor(/EVE controller/);
    restarted = true;
    await loaded('after');
    stop = true;
    await Promise.all(load);

    expect(readdirSync(join(state, 'pki')).map((f) => readFileSync(join(state, 'pki', f), 'utf8'))).toEqual(before.pki);
    // Nothing decided before the kill was redone, neither by the kill nor by the restarted appliance under load.
    expectKept(before.durable, killed, 'right after kill -9');
    expect(durableState(state)).toEqual(before.durable);
    expect([...hashesSeen].sort()).toEqual([...before.hashes].sort());
    expect(sims.map((s) => s.configHash)).toEqual(before.hashes);
    for (const s of sims) expect(await s.pollConfig()).toBe(304);
    for (const s of sims) {
      s.client.uuid = undefined;
      await s.onboard();
    }
    expect(sims.map((s) => s.uuid)).toEqual(before.uuids);
    expect(await Promise.all(sims.map((s) => s.clusterToken()))).toEqual(before.tokens);
    const box = openSecretBox(join(state, 'keys', 'state.key'));
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(state, 'eveboot.db'), { readonly: true });
    const cluster = JSON.parse((db.prepare('SELECT doc FROM clusters').get() as { doc: string }).doc);
    db.close();
    expect(box.open(cluster.tokenCiphertext)).toBe(before.tokens[0]);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });
});
