// Issue #11 replayed on a boot LAN made of network namespaces: `eveboot serve` in the appliance namespace serves
// full DHCP, TFTP and HTTP on its port of the site switch; three simulated nodes PXE-boot on theirs (`eveboot
// sim-node --netboot eth0`); the attacker is one more port of the same switch, at an address of its choosing,
// and knows every serial and MAC of the site file. Each attack fails with its status code and changes nothing;
// the one the attacker can make noise with (claiming a MAC) holds that node at a named conflict, which the
// operator resolves through the API, and then every real node installs, onboards and the cluster reaches Ready.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { loadOrCreatePki, loadPki } from '../../src/adapters/pki.js';
import { DEMO_IMAGE_VERSION, prepareDemoImage, prepareDemoIpxe } from '../../src/sim/demo-media.js';
import { exited, sh } from '../e2e/dhcp-netns.js';
import { ClusterSite, curlIn, type Event, NODES, type SimNodeProc, TOKEN } from '../e2e/netns-cluster-harness.js';
import { prereq } from '../support/prereq.js';
import { ROOT } from '../support/process.js';
import { reportUrl } from './attacker.js';

const p = prereq('attack suite on a namespace boot LAN', { root: true, tools: ['ip', 'curl'] });

const MACS = NODES.map((_, i) => `02:eb:0b:00:00:0${i + 1}`);
const EVIL_IP = '192.168.90.66';
const HTTP = 'http://192.168.90.1:8080';
const CONTROLLER = '192.168.90.1:8443';
const SERIALS = NODES.map((n) => n.serial);

const siteYaml = `site: { name: attack }
cluster: { name: attack-cluster, prefix: 10.244.244.0/28 }
nodes:
${NODES.map((n, i) => `  - { serial: ${n.serial}, name: ${n.name}, mac: "${MACS[i]}" }`).join('\n')}
onboarding: { policy: allowlist }
listen: { advertise: 192.168.90.1, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, uiPort: 8088 }
ui: { accessToken: ${TOKEN} }
`;

describe.skipIf(!p.ok)('an attacker on the boot LAN (network namespaces) against eveboot serve', () => {
  const site = new ClusterSite();
  const state = join(site.dir, 'state');
  const scratch = mkdtempSync(join(tmpdir(), 'eveboot-attacker-'));
  let evil = '';
  let nodes: SimNodeProc[] = [];

  /** The attacker's HTTP, from its own port. */
  const fromEvil = (url: string) => curlIn(evil, url);
  /** One of the attacker's programs (netns-attacker.ts), run in its namespace. */
  const evilRun = (...args: string[]): Record<string, unknown> => {
    const cmd = [process.execPath, '--import', 'tsx', join(ROOT, 'test/attack/netns-attacker.ts'), ...args];
    const out = execFileSync('ip', ['netns', 'exec', evil, ...cmd], { encoding: 'utf8', cwd: ROOT });
    return JSON.parse(out.trim().split('\n').pop()!);
  };
  const api = <T>(path: string): T => JSON.parse(site.operator('GET', path).body) as T;
  const events = () => api<Event[]>('/api/v1/events?since=0');
  const until = async (what: string, ok: (e: Event[]) => boolean, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
      if (ok(events())) return;
    }
    const died = nodes.map((n) => site.stderrOf(n.proc)).join('\n');
    throw new Error(
      `timeout waiting for ${what}; last: ${events()
        .slice(-8)
        .map((e) => e.type)}\n${died}`,
    );
  };

  beforeAll(async () => {
    site.build('site', { macs: MACS });
    evil = site.lanBox('evil', '02:66:66:66:66:66');
    sh('ip', '-n', evil, 'addr', 'add', `${EVIL_IP}/24`, 'dev', 'eth0');
    sh('ip', '-n', evil, 'route', 'add', 'default', 'dev', 'eth0');
    await prepareDemoImage(state, { kernelBytes: 2 ** 20, initrdBytes: 2 ** 21 });
    const ipxe = prepareDemoIpxe(join(site.dir, 'ipxe'));
    const siteFile = site.writeSite('site.yaml', siteYaml);
    const serve = site.serve(state, siteFile, ['--interface', 'site0', '--dhcp', 'full', '--ipxe-dir', ipxe]);
    await site.apiUp(60_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${site.stderrOf(serve.proc)}`);
    });
    await until('network.ready', (es) => es.some((e) => e.type === 'network.ready'), 30_000);
  }, 90_000);
  afterAll(async () => {
    for (const n of nodes) n.proc.kill('SIGTERM');
    await Promise.all(nodes.map((n) => exited(n.proc)));
    site.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('1. identity reports for a listed MAC, serial or net1 from its own address get no install decision', () => {
    const tries: Record<string, string>[] = [
      { mac: MACS[0]!, serial: SERIALS[0]! },
      { mac: '02:66:66:66:66:66', serial: SERIALS[1]! },
      { mac: '02:66:66:66:66:66', serial: '', net1: `${MACS[2]},up` },
    ];
    for (const q of tries) {
      const r = fromEvil(reportUrl(HTTP, q));
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/held for the operator: MAC .* never got a DHCP lease here/);
      expect(r.body).not.toMatch(/nonce=|kernel |eveboot\.config/);
    }
    const es = events();
    expect(es.filter((e) => e.type === 'boot.decision' && e.data.decision === 'install')).toEqual([]);
    expect(api<unknown[]>('/api/v1/conflicts')).toEqual([]);
  });

  it('1/3. no CONFIG without an install decision: config.img, installer.iso (both names) and guessed nonces', () => {
    for (const path of [
      '/config.img',
      `/config/${'A'.repeat(22)}.img`,
      '/installer.iso',
      `/artifacts/${DEMO_IMAGE_VERSION}/installer.iso`,
    ]) {
      expect([path, fromEvil(`${HTTP}${path}`).status]).toEqual([path, 403]);
    }
    expect(fromEvil(`${HTTP}/eveboot/overrides.cfg`).body).not.toMatch(/config\/[A-Za-z0-9_-]{22}\.img/);
    expect(events().filter((e) => e.type === 'boot.config-refused').length).toBeGreaterThanOrEqual(4);
  });

  it('2. register with an onboarding cert of its own making, or even the old site-wide one, is refused', async () => {
    const root = loadPki(join(state, 'pki')).root.certPem;
    const own = await loadOrCreatePki(join(scratch, 'evil-pki'), { site: 'evil', sans: [] });
    const forged = await onboardIssuer(own.root)({ kind: 'install', mac: MACS[0]!, serial: SERIALS[0]! });
    const siteWide = loadPki(join(state, 'pki')).onboard;
    const files = (name: string, c: { certPem: string; keyPem: string }) => {
      writeFileSync(join(scratch, `${name}.cert.pem`), c.certPem);
      writeFileSync(join(scratch, `${name}.key.pem`), c.keyPem);
      return [join(scratch, `${name}.cert.pem`), join(scratch, `${name}.key.pem`)];
    };
    writeFileSync(join(scratch, 'root.pem'), root);
    const onboard = (name: string, c: { certPem: string; keyPem: string }) =>
      evilRun('onboard', CONTROLLER, join(scratch, 'root.pem'), SERIALS[0]!, ...files(name, c));
    expect(onboard('forged', forged)).toMatchObject({
      registered: false,
      error: expect.stringMatching(/HTTP 401.*not issued by this appliance/),
    });
    expect(onboard('site-wide', siteWide)).toMatchObject({
      registered: false,
      error: expect.stringMatching(/HTTP 401.*not bound to a machine or medium/),
    });
    expect(api<unknown[]>('/api/v1/devices')).toEqual([]);
  });

  it('4. installed and booting callbacks for the nodes from the attacker change nothing', () => {
    for (const mac of MACS) {
      // 404 for a MAC that never reported, 403 for one the attacker's own report put on record: never 200.
      expect([403, 404]).toContain(fromEvil(`${HTTP}/boot/installed?mac=${mac}&status=installed`).status);
      expect([403, 404]).toContain(fromEvil(`${HTTP}/boot/installed?mac=${mac}&nonce=${'B'.repeat(22)}`).status);
      fromEvil(`${HTTP}/boot/booting?mac=${mac}&stage=kernel`);
    }
    const types = events().map((e) => e.type);
    expect(types).not.toContain('boot.installed');
    expect(types).not.toContain('boot.decision');
  });

  let leased = '';
  it('2. a DHCP claim for a node MAC then a report from another IP: a conflict naming both, no decision', () => {
    // The site's DHCP serves listed MACs, and anyone can say a listed MAC: the attacker gets that MAC's lease.
    const { lease } = evilRun('dhcp', MACS[0]!) as { lease: { ip: string } };
    leased = lease.ip;
    expect(leased).toMatch(/^192\.168\.90\./);
    expect(leased).not.toBe(EVIL_IP);
    const r = fromEvil(reportUrl(HTTP, { mac: MACS[0]!, serial: SERIALS[0]! }));
    expect(r.body).toMatch(/held for the operator/);
    expect(r.body).not.toMatch(/nonce=/);
    const conflicts =
      api<{ on: string; mac: string; kind: string; claimants: { ip: string; firstSeen: number }[] }[]>(
        '/api/v1/conflicts',
      );
    expect(conflicts).toEqual([expect.objectContaining({ on: 'boot', mac: MACS[0], kind: 'mac-ip' })]);
    expect(conflicts[0]!.claimants.map((c) => c.ip)).toEqual([leased, EVIL_IP]);
    expect(conflicts[0]!.claimants.every((c) => c.firstSeen > 0)).toBe(true);
    expect(events().filter((e) => e.type === 'boot.decision' && e.data.decision === 'install')).toEqual([]);
  });

  let impostorUuid = '';
  it("2. an impostor with node 3's MAC, before node 3 boots, installs as it, but its empty quote gets nothing under required", async () => {
    // What no network check can tell apart: a box that says node 3's MAC and serial on the wire before node 3 does.
    // It PXE-boots as node 3 (the same program a node runs), gets the install decision and its CONFIG, registers
    // with that install's credential (once) and attests as EVE without a TPM does: an empty quote.
    const ns = site.lanBox('imp', MACS[2]!);
    const imp = site.simNode(2, state, ['--netboot', 'eth0', '--tpm', 'none', '--poll-ms', '300'], ns);
    try {
      const booted = await imp.lines.wait((l) => l.type === 'sim.netboot.done', 60_000);
      expect(booted).toMatchObject({ decision: 'install', installed: true });
      await until('the empty quote', (es) => es.some((e) => e.type === 'eve.attest.failed'), 30_000);
      // It retries as EVE does; every try is refused and nothing is ever sealed for it.
      await imp.lines.wait((l) => /attest quote refused/.test(String(l.msg)), 10_000);
    } finally {
      imp.proc.kill('SIGTERM');
      await exited(imp.proc);
      sh('ip', '-n', ns, 'link', 'set', 'eth0', 'down');
    }
    const es = events();
    const failed = es.filter((e) => e.type === 'eve.attest.failed');
    expect(failed[0]!.data).toMatchObject({ code: 'QUOTE_FAILED', tpm: 'required' });
    expect(failed[0]!.data.reason).toMatch(/quote is empty/);
    expect(es.map((e) => e.type)).not.toContain('eve.attested');
    expect(es.map((e) => e.type)).not.toContain('cluster.token.sealed');
    const devices = api<{ uuid: string; serial: string }[]>('/api/v1/devices');
    expect(devices.map((d) => d.serial)).toEqual([SERIALS[2]]);
    impostorUuid = devices[0]!.uuid;
  });

  it('3. the real nodes PXE-boot: the claimed one stops at the conflict until the operator names it; all reach Ready', async () => {
    nodes = NODES.map((_, i) =>
      site.simNode(i, state, ['--netboot', 'eth0', '--poll-ms', '500', '--k3s-delay-ms', '300']),
    );
    // Node 1 gets the lease the attacker claimed (same MAC) and is held: it comes round to PXE again and again.
    const held = await nodes[0]!.lines.wait((l) => l.type === 'sim.netboot.done', 60_000);
    expect(held).toMatchObject({ decision: 'hold', ip: leased, installed: false });
    const conflict = api<{ claimants: { ip: string }[] }[]>('/api/v1/conflicts');
    expect(conflict.map((c) => c.claimants.map((x) => x.ip))).toEqual([[leased, EVIL_IP]]);
    // Choosing is the operator's: without the token, refused; with it, the MAC is pinned to the real node's IP.
    expect(site.operator('POST', `/api/v1/boot/${MACS[0]}/conflict`, { ip: leased }, false).status).toBe(403);
    expect(site.operator('POST', `/api/v1/boot/${MACS[0]}/conflict`, { ip: leased }).status).toBe(200);
    expect(api<unknown[]>('/api/v1/conflicts')).toEqual([]);
    expect(readFileSync(join(state, 'records.jsonl'), 'utf8')).toMatch(/"action":"resolve-conflict","on":"boot"/);
    // Node 3 is told to boot locally (its MAC was installed, by the impostor): the operator, who sees node 3
    // registered but never attested, marks it for reinstall; its next PXE boot installs it with a new credential.
    const local = await nodes[2]!.lines.wait((l) => l.type === 'sim.netboot.done', 60_000);
    expect(local).toMatchObject({ decision: 'local', installed: false });
    expect(site.operator('POST', `/api/v1/devices/${impostorUuid}/reinstall`, {}, false).status).toBe(403);
    expect(site.operator('POST', `/api/v1/devices/${impostorUuid}/reinstall`, {}).status).toBe(200);

    await until('Ready', (es) => es.some((e) => e.type === 'k3s.readiness' && e.data.ready === true), 90_000);
    const es = events();
    const installs = es.filter((e) => e.type === 'boot.decision' && e.data.decision === 'install');
    expect(new Set(installs.map((e) => e.data.mac))).toEqual(new Set(MACS));
    // Four installs: the impostor's as node 3, then the three real nodes'.
    expect(
      es
        .filter((e) => e.type === 'boot.installed')
        .map((e) => e.data.mac)
        .sort(),
    ).toEqual([...MACS, MACS[2]].sort());
    expect(es.filter((e) => e.type === 'eve.attested').every((e) => e.data.signed === true)).toBe(true);
    expect(es.filter((e) => e.type === 'cluster.token.sealed')).toHaveLength(3);
    const devices = api<{ serial: string }[]>('/api/v1/devices');
    expect(devices.map((d) => d.serial).sort()).toEqual(SERIALS);
    expect(api<{ tokenSealedFor: string }[]>('/api/v1/clusters')[0]!.tokenSealedFor).toBe('3/3');
  }, 150_000);

  it('4/5. afterwards: callbacks, CONFIG and a pinned MAC from the attacker still get nothing', () => {
    const before = events().length;
    expect(fromEvil(`${HTTP}/boot/installed?mac=${MACS[1]}&status=installed`).status).toBe(403);
    expect(fromEvil(`${HTTP}/config.img`).status).toBe(403);
    expect(fromEvil(`${HTTP}/artifacts/${DEMO_IMAGE_VERSION}/installer.iso`).status).toBe(403);
    expect(fromEvil(reportUrl(HTTP, { mac: MACS[0]!, serial: SERIALS[0]! })).body).toMatch(/pinned it to/);
    const after = events().slice(before);
    expect(after.map((e) => e.type)).not.toContain('boot.installed');
    expect(after.filter((e) => e.type === 'boot.decision' && e.data.decision === 'install')).toEqual([]);
    expect(api<{ tokenSealedFor: string }[]>('/api/v1/clusters')[0]!.tokenSealedFor).toBe('3/3');
  });
});
