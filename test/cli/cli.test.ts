// The CLI as a user runs it: site check exit codes, pki show/export, offline token sealing.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecretBox } from '../../src/adapters/secret-box.js';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { ecdhPublicPoint } from '../../src/core/seal/ecdh-point.js';
import { openSealed, sharedPoint } from '../../src/core/seal/seal.js';
import { EdgeDevConfigSchema } from '../../src/gen/config/devconfig_pb.js';
import { createDeviceIdentity } from '../../src/sim/device-identity.js';
import { type Child, eveboot, freePort } from '../support/process.js';

const run = async (args: string[]) => {
  const c = eveboot(args);
  const code = await c.exited;
  return { code, out: c.stdout.join('\n'), err: c.stderr.join('') };
};

describe('eveboot CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-cli-'));
  const state = join(dir, 'state');
  let serve: Child;

  beforeAll(async () => {
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      `site: {name: cli}\ncluster: {name: cli-c}\nlisten: {host: 127.0.0.1, controllerPort: ${await freePort()}, uiPort: ${await freePort()}}\n`,
    );
    serve = eveboot(['serve', '--state', state, '--site', site, '--no-netboot']);
    await serve.waitFor(/access token/);
  });
  afterAll(() => serve?.proc.kill('SIGKILL'));

  it('site check prints path: problem lines and exits 1 on an invalid file', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'site: {name: s}\ncluster: {name: c, prefix: 300.1.1.1/24}\n');
    const r = await run(['site', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cluster.prefix: must be an IPv4 prefix');
  });

  it('every command answers --help with its usage on stdout and exit 0; --version prints the version', async () => {
    const commands = ['serve', 'demo', 'doctor', 'pki', 'images', 'report', 'sim', 'sim-node', 'status', 'token'];
    const all = [...commands, 'site', 'usb', 'state', 'kubeconfig', 'support-bundle'];
    const runs = await Promise.all(all.map((cmd) => run([cmd, '--help'])));
    for (const [i, r] of runs.entries()) {
      const cmd = all[i]!;
      expect({ cmd, code: r.code, err: r.err }).toEqual({ cmd, code: 0, err: '' });
      expect(r.out).toContain(`usage: eveboot ${cmd}`);
    }
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
    const v = await run(['--version']);
    expect([v.code, v.out.trim()]).toEqual([0, `eveboot ${pkg.version}`]);
  }, 180_000);

  it('an unknown command is a usage error (exit 2)', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('pki init creates the PKI on a fresh state dir, once; token seal on a fresh dir makes it and says so', async () => {
    const fresh = join(dir, 'fresh-station');
    const siteFile = join(dir, 'station-site.yaml');
    writeFileSync(siteFile, 'site: {name: plant-9}\ncluster: {name: c}\n');
    const first = await run(['pki', 'init', '--state', fresh, '--site', siteFile]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('created the appliance PKI');
    const root = readFileSync(join(fresh, 'pki', 'root.cert.pem'), 'utf8');
    const again = await run(['pki', 'init', '--state', fresh]);
    expect(again.out).toContain('already in');
    expect(readFileSync(join(fresh, 'pki', 'root.cert.pem'), 'utf8')).toBe(root);
    const fingerprint = (o: string) => /root {5}SHA256 (\S+)/.exec(o)?.[1];
    expect(fingerprint(again.out)).toBe(fingerprint(first.out));
    expect(first.out).toContain('SHA256');
    const other = join(dir, 'fresh-token');
    const tpm = createSoftTpm();
    const certFile = join(dir, 'dev-ecdh.pem');
    writeFileSync(certFile, (await createDeviceIdentity(tpm)).ecdhCertPem);
    const sealed = await run(['token', 'seal', '--device-ecdh-cert', certFile, '--state', other]);
    expect(sealed.err).toContain(`created a new appliance PKI in ${join(other, 'pki')}`);
    expect(sealed.err).toContain('no cluster in');
    expect(readdirSync(join(other, 'pki'))).toContain('root.cert.pem');
  });

  it('pki show prints the five fingerprints, pki export writes only public certs', async () => {
    const show = await run(['pki', 'show', '--state', state]);
    expect(show.code).toBe(0);
    for (const role of ['root', 'signing', 'ecdh', 'tls', 'onboard'])
      expect(show.out).toMatch(new RegExp(`^${role}\\s+SHA256 [0-9A-F:]{95}`, 'm'));
    const out = join(dir, 'export');
    expect((await run(['pki', 'export', out, '--state', state])).code).toBe(0);
    const files = readdirSync(out);
    expect(files).toContain('root-certificate.pem');
    for (const f of files) expect(readFileSync(join(out, f), 'utf8')).not.toContain('PRIVATE KEY');
  });

  it('token seal seals offline to a device ECDH cert; the device recovers the token', async () => {
    const tpm = createSoftTpm(new Uint8Array(32).fill(9));
    const id = await createDeviceIdentity(tpm);
    const certFile = join(dir, 'ecdh.cert.pem');
    writeFileSync(certFile, id.ecdhCertPem);
    const pb = join(dir, 'sealed.pb');
    const r = await run(['token', 'seal', '--device-ecdh-cert', certFile, '--state', state, '--out', pb]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Buffer.from(json.cipherBlock.initialValue, 'base64')).toHaveLength(16);
    expect(json.cipherContext.keyExchangeScheme).toBe('KEA_ECDH');
    const frag = fromBinary(EdgeDevConfigSchema, readFileSync(pb));
    const ctrl = ecdhPublicPoint(readFileSync(join(state, 'pki', 'ecdh.cert.pem'), 'utf8'));
    const token = openSealed(
      frag.cipherContexts[0]!,
      frag.cluster!.encryptedClusterToken!,
      sharedPoint(new Uint8Array(32).fill(9), ctrl),
    );
    const db = (await import('better-sqlite3')).default;
    const conn = new db(join(state, 'eveboot.db'), { readonly: true });
    const cluster = JSON.parse((conn.prepare('SELECT doc FROM clusters').get() as { doc: string }).doc);
    conn.close();
    expect(token).toBe(openSecretBox(join(state, 'keys', 'state.key')).open(cluster.tokenCiphertext));
    expect(r.out).not.toContain(token);
    void p256;
  });
});
