// Issue 14: EVE's own device code as the test peer. Three devices whose controller client is EVE's pillar code
// (controllerconn, cipher; test/eve-peer) get their CONFIG the way a booting machine does, then onboard,
// attest, fetch their configs and decrypt the same join token with EVE's cipher package, against one
// `eveboot serve`. A fourth device with a forged onboarding cert is refused. Then a man in the middle breaks
// the answers three ways, and each time EVE's code refuses them with its own error.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { exited } from './dhcp-netns.js';
import { APP_IP, DEVICES, PEER_BIN, type PeerRun, PeerSite } from './eve-peer-harness.js';

const p = prereq("EVE's own controller client (netns)", {
  root: true,
  tools: ['ip', 'curl', 'unshare', 'chroot', 'openssl'],
  // scripts/test.sh builds it when Go and EVE's pillar source are there (docs/architecture/eve-code-peer.md).
  files: [{ path: PEER_BIN, how: 'built by scripts/eve-peer-build.sh' }],
});

const step = (r: PeerRun, name: string) => r.steps.find((s) => s.step === name);
const explain = (r: PeerRun) =>
  `exit ${r.code}; steps ${JSON.stringify(r.steps)}\nEVE's log:\n${r.stderr.slice(-3000)}`;

describe.skipIf(!p.ok)("EVE's own controller client against eveboot serve", () => {
  const site = new PeerSite();
  const devDir = (i: number) => join(site.dir, `device-${i + 1}`);
  const hostRoot = readdirSync('/').sort();

  beforeAll(() => site.build(), 90_000);
  afterAll(() => site.cleanup());

  it('three devices onboard, attest, get their configs and decrypt the same join token', async () => {
    const fetched = await Promise.all([0, 1, 2].map((i) => site.fetchConfig(i, devDir(i))));
    for (const f of fetched) {
      expect(f).toMatchObject({ decision: 'install', installed: true });
      expect(f.files).toEqual(expect.arrayContaining(['server', 'root-certificate.pem', 'onboard.cert.pem']));
    }
    const runs = await Promise.all([0, 1, 2].map((i) => site.peer(i, devDir(i))));
    for (const r of runs) {
      expect(r.code, explain(r)).toBe(0);
      for (const s of ['certs', 'uuid', 'attest-cert', 'attest-nonce', 'attest-quote', 'info', 'config', 'token'])
        expect(step(r, s), `${s}: ${explain(r)}`).toMatchObject({ ok: true });
      expect(step(r, 'attest-quote')).toMatchObject({ integrityToken: true });
      expect(step(r, 'config')).toMatchObject({ cluster: true });
      // Escrow of the vault key, answered as EVE expects (eve-conformance §1), else EVE retries it forever.
      expect(step(r, 'attest-escrow'), explain(r)).toMatchObject({
        ok: true,
        respType: 'Z_ATTEST_RESP_TYPE_STORE_KEYS',
        response: 'ATTEST_STORAGE_KEYS_RESPONSE_CODE_SUCCESS',
      });
    }
    const uuids = runs.map((r) => step(r, 'uuid')!.uuid);
    expect(new Set(uuids).size).toBe(3);
    const hashes = runs.map((r) => step(r, 'token')!.sha256 as string);
    const [cluster] = site.api<{ tokenSha256: string; plan: { missingEvidence?: string[] } }[]>('/api/v1/clusters');
    // Planned on what EVE's messages carry (ZInfoDevice ports, ZInfoHardware), nothing missing.
    expect(cluster!.plan.missingEvidence ?? []).toEqual([]);
    expect(hashes).toEqual([cluster!.tokenSha256, cluster!.tokenSha256, cluster!.tokenSha256]);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    const devices = site.api<{ uuid: string; serial: string }[]>('/api/v1/devices');
    expect(devices.map((d) => d.serial).sort()).toEqual(DEVICES.slice(0, 3).map((d) => d.serial));
    // The private mount namespaces left the host's / as it was: no /config, no /persist.
    expect(readdirSync('/').sort()).toEqual(hostRoot);
    expect(existsSync('/config') || existsSync('/persist')).toBe(false);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain('eve-peer-root');
  }, 180_000);

  it('a fourth device with a forged onboarding cert is refused', async () => {
    const dir = devDir(3);
    mkdirSync(join(dir, 'config'), { recursive: true });
    cpSync(join(devDir(0), 'config'), join(dir, 'config'), {
      recursive: true,
      filter: (src) => !/device\.(cert|key)\.pem$/.test(src),
    });
    execFileSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30'],
      ...['-subj', '/CN=forged-onboarding', '-keyout', join(dir, 'config', 'onboard.key.pem')],
      ...['-out', join(dir, 'config', 'onboard.cert.pem')],
    ]);
    const r = await site.peer(3, dir, ['-wait', '5s']);
    expect(r.code, explain(r)).toBe(1);
    expect(step(r, 'register'), explain(r)).toMatchObject({ ok: false });
    expect(r.failed?.step, explain(r)).toBe('uuid');
    // EVE's own words from controllerconn (send.go SendOnIntf).
    expect(r.failed?.error).toMatch(
      /SendOnIntf to https:\/\/\S+\/api\/v2\/edgedevice\/uuid reqlen \d+ statuscode 4\d\d/,
    );
    expect(site.api<unknown[]>('/api/v1/devices')).toHaveLength(3);
  }, 60_000);

  // Each breakage through the man in the middle, on a copy of device 1 (its identity, so it is known).
  const broken = [
    { kind: 'swap-field', step: 'uuid', eve: /VerifyAuthContainerHeader: unexpected senderCertHash length \(64\)/ },
    { kind: 'wrong-sig', step: 'uuid', eve: /VerifyAuthContainer: verifyAuthSig error/ },
    { kind: 'cipher-hash', step: 'token', eve: /cipherblock decryption failed, Controller Certificate get fail/ },
  ];
  it.each(broken)(
    'a controller answer with $kind is refused by EVE: $eve',
    async ({ kind, step: where, eve }) => {
      const dir = join(site.dir, `broken-${kind}`);
      cpSync(devDir(0), dir, { recursive: true, filter: (src) => !src.endsWith('/root') });
      const port = 9443 + broken.findIndex((b) => b.kind === kind);
      writeFileSync(join(dir, 'config', 'server'), `${APP_IP}:${port}\n`);
      const proxy = await site.proxy(kind, port);
      try {
        const r = await site.peer(0, dir, ['-wait', '10s']);
        console.log(`${kind}: EVE refused at ${r.failed?.step}: ${r.failed?.error}`);
        expect(r.code, explain(r)).toBe(1);
        expect(r.failed?.step, explain(r)).toBe(where);
        expect(r.failed?.error, explain(r)).toMatch(eve);
      } finally {
        proxy.kill('SIGTERM');
        await exited(proxy);
      }
    },
    60_000,
  );
});
