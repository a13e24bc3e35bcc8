// Issue #11 replayed against `eveboot serve` (a separate process, real DHCP/TFTP/HTTP/HTTPS on loopback): each
// attack of the old appliance fails, the real (simulated) nodes still netboot, onboard with their own credentials
// and reach Ready, and a late claimant stops at a named conflict that the operator resolves through the API.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { loadOrCreatePki, loadPki } from '../../src/adapters/pki.js';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { demoSiteYaml } from '../../src/cli/demo.js';
import { clusterSpecs, parseSite } from '../../src/config/site.js';
import type { StoredEvent } from '../../src/ports/store.js';
import { prepareDemoImage, prepareDemoIpxe } from '../../src/sim/demo-media.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { standardNics } from '../../src/sim/sim-info.js';
import { rehearsalMaps, type SiteFleet, startSiteFleet } from '../../src/sim/site-fleet.js';
import { type Child, eveboot } from '../support/process.js';
import { getFrom, reportUrl } from './attacker.js';

const EVIL = '127.0.200.7';
const TOKEN = 'attack-test-operator-token-0001';
const SERIALS = ['DEMO-0001', 'DEMO-0002', 'DEMO-0003'];
const MACS = [1, 2, 3].map((i) => standardNics(i)[0]!.mac);

describe('an attacker on the boot LAN against eveboot serve', () => {
  const base = 30000 + Math.floor(Math.random() * 300) * 100;
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-attack-'));
  const state = join(dir, 'state');
  const yaml = `${demoSiteYaml(3, undefined, base)}ui: { accessToken: ${TOKEN} }\n`;
  const site = parseSite(yaml, 'attack site');
  const http = `http://127.0.0.1:${site.listen.httpPort}`;
  const ui = `http://127.0.0.1:${site.listen.uiPort}`;
  let child: Child;
  let fleet: SiteFleet | undefined;

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; json: T }> => {
    const r = await fetch(`${ui}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    return { status: r.status, json: (await r.json()) as T };
  };
  const events = async () => (await api<StoredEvent[]>('/api/v1/events?since=0')).json;
  const until = async (what: string, ok: (e: StoredEvent[]) => boolean, ms = 120_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
      if (ok(await events())) return;
    }
    throw new Error(`timeout waiting for ${what}; last: ${(await events()).slice(-5).map((e) => e.type)}`);
  };

  beforeAll(async () => {
    await prepareDemoImage(state, { kernelBytes: 2 ** 20, initrdBytes: 2 ** 21 });
    const ipxe = prepareDemoIpxe(join(dir, 'ipxe'));
    const sitePath = join(dir, 'site.yaml');
    writeFileSync(sitePath, yaml);
    // Not --headless: that mode exits once every cluster is Ready, and the late claimant comes after.
    child = eveboot([
      'serve',
      '--state',
      state,
      '--site',
      sitePath,
      '--ipxe-dir',
      ipxe,
      '--rehearsal',
      String(base),
      '--dhcp',
      'full',
      '--log-level',
      'warn',
    ]);
    await child.waitFor(/EVE controller/, 60_000);
    for (
      let i = 0;
      i < 100 && (await getFrom('127.0.0.1', `${http}/boot/x.ipxe`).catch(() => undefined)) === undefined;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 90_000);
  afterAll(async () => {
    await fleet?.stop();
    child?.proc.kill('SIGTERM');
    await child?.exited;
  });

  it('1. an identity report for a listed MAC, serial or net1 from a box we never leased to gets no install decision', async () => {
    const tries: Record<string, string>[] = [
      { mac: MACS[0]!, serial: SERIALS[0]! },
      { mac: '02:66:66:66:66:66', serial: SERIALS[1]! },
      { mac: '02:66:66:66:66:67', serial: '', net1: `${MACS[2]},up` },
    ];
    for (const q of tries) {
      const r = await getFrom(EVIL, reportUrl(http, q));
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/held for the operator: MAC .* never got a DHCP lease here/);
      expect(r.body).not.toMatch(/nonce=|kernel |eveboot\.config/);
    }
  });

  it('1. no CONFIG without an install decision: the bare name and guessed nonces are refused', async () => {
    expect((await getFrom(EVIL, `${http}/config.img`)).status).toBe(403);
    expect((await getFrom(EVIL, `${http}/config/AAAAAAAAAAAAAAAAAAAAAA.img`)).status).toBe(403);
    expect((await getFrom(EVIL, `${http}/eveboot/overrides.cfg`)).body).not.toMatch(/config\/[A-Za-z0-9_-]{22}\.img/);
  });

  it('2. register with an onboarding cert the attacker made itself, or the old site-wide one, is refused', async () => {
    const own = await loadOrCreatePki(join(dir, 'evil-pki'), { site: 'evil', sans: [] });
    const cred = await onboardIssuer(own.root)({ kind: 'install', mac: MACS[0]!, serial: SERIALS[0]! });
    const server = `127.0.0.1:${site.listen.controllerPort}`;
    const rootCaPem = loadPki(join(state, 'pki')).root.certPem;
    const forged = new SimDevice({
      server,
      rootCaPem,
      onboardCertPem: cred.certPem,
      onboardKeyPem: cred.keyPem,
      serial: SERIALS[0]!,
      softSerial: '',
      tpm: createSoftTpm(),
    });
    await expect(forged.onboard()).rejects.toThrow(/HTTP 401.*not issued by this appliance/);
    // The site-wide key exists only in the appliance's state dir (no longer in any CONFIG); even it is refused.
    const pki = loadPki(join(state, 'pki'));
    const old = new SimDevice({
      server,
      rootCaPem,
      onboardCertPem: pki.onboard.certPem,
      onboardKeyPem: pki.onboard.keyPem,
      serial: SERIALS[0]!,
      softSerial: '',
      tpm: createSoftTpm(),
    });
    await expect(old.onboard()).rejects.toThrow(/HTTP 401.*not bound to a machine or medium/);
  });

  it('4. installed and booting callbacks from the attacker change nothing', async () => {
    for (const mac of MACS) {
      expect((await getFrom(EVIL, `${http}/boot/installed?mac=${mac}&status=installed`)).status).not.toBe(200);
      await getFrom(EVIL, `${http}/boot/booting?mac=${mac}&stage=kernel`);
    }
    const types = (await events()).map((e) => e.type);
    expect(types).not.toContain('boot.installed');
    expect(types).not.toContain('boot.decision');
  });

  it('3. the real nodes then netboot, onboard with their own per-install credentials and reach Ready', async () => {
    const pki = loadPki(join(state, 'pki'));
    const specs = clusterSpecs(site);
    fleet = startSiteFleet({
      site,
      specs,
      maps: rehearsalMaps(specs, base),
      server: `127.0.0.1:${site.listen.controllerPort}`,
      pki: { rootCaPem: pki.root.certPem, issue: onboardIssuer(pki.root) },
      pollMs: 500,
      netboot: {
        dhcpPort: site.listen.dhcpPort,
        tftpPort: site.listen.tftpPort,
        httpPort: site.listen.httpPort,
        rateBytesPerSec: 50e6,
      },
    });
    await until('Ready', (es) => es.some((e) => e.type === 'k3s.readiness' && e.data.ready === true), 150_000);
    const es = await events();
    const installs = es.filter((e) => e.type === 'boot.decision' && e.data.decision === 'install');
    expect(new Set(installs.map((e) => e.data.mac))).toEqual(new Set(MACS));
    expect(es.filter((e) => e.type === 'boot.installed')).toHaveLength(3);
    expect(es.filter((e) => e.type === 'cluster.token.sealed')).toHaveLength(3);
    const devices = (await api<{ serial: string; deviceCertSha256: string }[]>('/api/v1/devices')).json;
    expect(devices.map((d) => d.serial).sort()).toEqual(SERIALS);
  }, 180_000);

  it('2. a late claimant for a node raises a conflict naming both; the cluster keeps its tokens; the operator resolves it', async () => {
    const before = (await events()).length;
    const r = await getFrom(EVIL, reportUrl(http, { mac: MACS[0]!, serial: SERIALS[0]! }));
    expect(r.body).toMatch(/held for the operator/);
    expect(r.body).not.toMatch(/nonce=/);
    const conflict = (await events()).slice(before).find((e) => e.type === 'trust.conflict');
    expect(conflict?.data).toMatchObject({ kind: 'mac-ip', subject: MACS[0] });
    const ips = (conflict!.data.claimants as { ip: string }[]).map((c) => c.ip);
    expect(ips[1]).toBe(EVIL);
    expect(ips[0]).toMatch(/^127\.0\.100\./);
    const listed = (await api<{ on: string; mac: string }[]>('/api/v1/conflicts')).json;
    expect(listed).toEqual([expect.objectContaining({ on: 'boot', mac: MACS[0] })]);
    // The installed node keeps its sealed token: a claimant cannot pull it out of its cluster.
    const clusters = (await api<{ tokenSealedFor: string }[]>('/api/v1/clusters')).json;
    expect(clusters[0]!.tokenSealedFor).toBe('3/3');
    // Without the operator token nothing resolves; with it, the operator names the real machine's IP (audited).
    expect((await fetch(`${ui}/api/v1/boot/${MACS[0]}/conflict`, { method: 'POST', body: '{}' })).status).toBe(403);
    const res = await api<{ outcome: string }>(`/api/v1/boot/${MACS[0]}/conflict`, {
      method: 'POST',
      body: JSON.stringify({ ip: ips[0] }),
    });
    expect(res.status).toBe(200);
    expect((await api<unknown[]>('/api/v1/conflicts')).json).toEqual([]);
    expect(readFileSync(join(state, 'records.jsonl'), 'utf8')).toMatch(/"action":"resolve-conflict","on":"boot"/);
    // The pinned MAC from the attacker's address is a conflict again, never a decision.
    expect((await getFrom(EVIL, reportUrl(http, { mac: MACS[0]!, serial: SERIALS[0]! }))).body).toMatch(/pinned it to/);
  });
});
