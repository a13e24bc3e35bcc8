// Hand-over: a cluster brought up by one appliance, its state exported while it serves, the appliance stopped, the
// archive imported into a fresh state dir (a permanent site box), and `serve` run there: the nodes carry on with
// 304s and the same UUIDs, nobody re-onboards, the token and PKI are the same. A wrong passphrase or a tampered
// archive imports nothing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Child, eveboot, freePort } from '../support/process.js';
import { onboardedNodes } from '../support/serve-nodes.js';

const run = async (args: string[], env: Record<string, string> = {}) => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const c = eveboot(args);
  process.env = saved;
  const code = await c.exited;
  return { code, out: c.stdout.join('\n'), err: c.stderr.join('') };
};

function devices(state: string) {
  const db = new Database(join(state, 'eveboot.db'), { readonly: true });
  try {
    return (db.prepare('SELECT doc FROM devices').all() as { doc: string }[])
      .map((r) => JSON.parse(r.doc) as { uuid: string; serial: string; onboardedAt: number; deviceCertHash: string })
      .map((d) => ({ uuid: d.uuid, serial: d.serial, onboardedAt: d.onboardedAt, cert: d.deviceCertHash }))
      .sort((a, b) => a.serial.localeCompare(b.serial));
  } finally {
    db.close();
  }
}

describe('eveboot state export/import: a permanent box takes over the site', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-handover-'));
  const laptop = join(dir, 'laptop-state');
  const box = join(dir, 'box-state');
  const archive = join(dir, 'site.evestate');
  const pass = join(dir, 'pass');
  writeFileSync(pass, 'correct horse battery staple\n');
  let child: Child | undefined;
  afterAll(() => child?.proc.kill('SIGKILL'));

  it('the nodes carry on against the imported state: 304s, same UUIDs, no new registration', async () => {
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      `site: { name: handover }
cluster: { name: handover-cluster }
nodes: [{ serial: H-1 }, { serial: H-2 }, { serial: H-3 }]
ui: { accessToken: handover-ui-access-token-0123 }
listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${await freePort()}, uiPort: ${await freePort()} }
`,
    );
    child = eveboot(['serve', '--state', laptop, '--site', site, '--no-netboot']);
    const line = await child.waitFor(/EVE controller/);
    const server = line.replace(/.*https:\/\/([^/]+)\/.*/, '$1');
    const pem = (f: string) => readFileSync(join(laptop, 'pki', f), 'utf8');
    const sims = await onboardedNodes(laptop, server, ['H-1', 'H-2', 'H-3']);
    for (const s of sims) expect(await s.pollConfig()).toBe(200);
    const tokens = await Promise.all(sims.map((s) => s.clusterToken()));
    const uuids = sims.map((s) => s.uuid);
    const before = devices(laptop);
    expect(before).toHaveLength(3);

    // Exported while serving: SQLite's serialize gives a consistent copy.
    const exp = await run(['state', 'export', archive, '--state', laptop, '--passphrase-file', pass]);
    expect(exp.code, exp.err).toBe(0);
    expect(exp.out).toMatch(/exported \d+ files/);
    const raw = readFileSync(archive);
    for (const f of ['root.key.pem', 'signing.key.pem']) {
      const body = pem(f).split('\n').slice(1, -2).join('');
      expect(raw.includes(body)).toBe(false); // encrypted, not merely packed
    }
    expect(raw.includes(Buffer.from(tokens[0]!))).toBe(false);
    // The support bundle from the same state: everything a support engineer reads, no secret.
    const bundleFile = join(dir, 'support.json.gz');
    const sb = await run(['support-bundle', '--state', laptop, '--site', site, '--out', bundleFile]);
    expect(sb.code, sb.err).toBe(0);
    const bundleText = gunzipSync(readFileSync(bundleFile)).toString('utf8');
    const bundle = JSON.parse(bundleText) as {
      devices: unknown[];
      events: unknown[];
      clusters: { plan: unknown }[];
      site: string;
    };
    expect(bundle.devices).toHaveLength(3);
    expect(bundle.events.length).toBeGreaterThan(0);
    expect(bundle.clusters[0]!.plan).toBeTruthy();
    expect(bundle.site).toContain('accessToken: <redacted>');
    for (const secret of [
      tokens[0]!,
      'handover-ui-access-token-0123',
      'PRIVATE KEY',
      pem('onboard.key.pem').split('\n')[1]!,
    ]) {
      expect(bundleText.includes(secret), 'the bundle holds a secret').toBe(false);
    }
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);

    const wrong = join(dir, 'wrong');
    writeFileSync(wrong, 'not the right passphrase');
    const bad = await run(['state', 'import', archive, '--state', join(dir, 'x'), '--passphrase-file', wrong]);
    expect([bad.code, bad.err]).toEqual([1, expect.stringContaining('wrong passphrase')]);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const tampered = join(dir, 'tampered.evestate');
    const t = Buffer.from(raw);
    t[30] = t[30]! ^ 1; // inside the authenticated header
    writeFileSync(tampered, t);
    const tam = await run(['state', 'import', tampered, '--state', join(dir, 'y'), '--passphrase-file', pass]);
    expect(tam.code).not.toBe(0);
    expect(existsSync(join(dir, 'y'))).toBe(false);

    const imp = await run(['state', 'import', archive, '--state', box], {
      EVEBOOT_STATE_PASSPHRASE: 'correct horse battery staple',
    });
    expect(imp.code, imp.err).toBe(0);
    expect(imp.out).toContain('of site handover');
    expect(statSync(box).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(join(box, 'pki'))) expect(statSync(join(box, 'pki', f)).mode & 0o077).toBe(0);
    expect(readdirSync(join(box, 'pki')).sort()).toEqual(readdirSync(join(laptop, 'pki')).sort());
    const again = await run(['state', 'import', archive, '--state', box, '--passphrase-file', pass]);
    expect([again.code, again.err]).toEqual([1, expect.stringContaining('is not empty')]);

    child = eveboot(['serve', '--state', box, '--site', site, '--no-netboot']);
    await child.waitFor(/EVE controller/);
    for (const s of sims) expect(await s.pollConfig()).toBe(304);
    for (const s of sims) {
      s.client.uuid = undefined;
      await s.onboard(); // EVE asks for its UUID again after a restart: same answer, no new record
    }
    expect(sims.map((s) => s.uuid)).toEqual(uuids);
    expect(await Promise.all(sims.map((s) => s.clusterToken()))).toEqual(tokens);
    expect(devices(box)).toEqual(before);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });
});
