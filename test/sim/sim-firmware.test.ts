// The simulated firmware netboots against a real appliance on loopback high ports (no root): full DHCP,
// TFTP of snponly.efi, iPXE's DHCP, identity report, kernel + initrd at a throttled rate, the stand-in
// installer's callback; then a second netboot of the same machine gets the local-boot decision.
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { formatGuid } from '../../src/core/dhcp/classify.js';
import { readFile } from '../../src/core/disk/fat-read.js';
import { demoInstallerIso, prepareDemoImage, prepareDemoIpxe } from '../../src/sim/demo-media.js';
import { createAsyncLock, guidOption } from '../../src/sim/dhcp-client.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { type NetbootResult, netbootSimNode, simSmbiosUuid } from '../../src/sim/sim-firmware.js';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';

type Ev = { type: string; node?: string; data: Record<string, unknown> };

const NODES = [
  { mac: '52:54:00:5e:00:01', serial: 'SIMFW-1', smbiosUuid: '8e1f0a52-1b2c-4d3e-8f40-5a6b7c8d9e01' },
  { mac: '52:54:00:5e:00:02', serial: 'SIMFW-2', smbiosUuid: '8e1f0a52-1b2c-4d3e-8f40-5a6b7c8d9e02' },
];
/** Listed in the site only by its soft serial (its boot NIC's MAC, hexhyp), with no SMBIOS serial at all. */
const SOFT = { mac: '52:54:00:5e:00:03', serial: '', smbiosUuid: '8e1f0a52-1b2c-4d3e-8f40-5a6b7c8d9e03' };
const ISO_BYTES = demoInstallerIso().length;

/** A free UDP port p whose neighbour p + 1 (the rehearsal's DHCP client port) is free too, plus two TCP-free ports. */
async function freePorts(): Promise<{ dhcp: number; tftp: number; http: number }> {
  const udpFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind({ port, address: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
    });
  const tcpFree = () =>
    new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port;
        srv.close(() => resolve(port));
      });
    });
  for (;;) {
    const dhcp = 20000 + Math.floor(Math.random() * 40000);
    const tftp = dhcp + 2;
    if ((await udpFree(dhcp)) && (await udpFree(dhcp + 1)) && (await udpFree(tftp))) {
      return { dhcp, tftp, http: await tcpFree() };
    }
  }
}

describe('simulated PXE firmware against a loopback appliance', () => {
  let t: TestAppliance;
  let ports: { dhcp: number; tftp: number; http: number };
  const events: Ev[] = [];
  const lock = createAsyncLock();
  const abort = new AbortController();
  const boot = (n: (typeof NODES)[number], lines: string[]) =>
    netbootSimNode({
      ...n,
      nics: [
        { mac: n.mac, up: true },
        { mac: n.mac.replace(/..$/, 'f1'), up: false },
      ],
      server: '127.0.0.1',
      dhcpPort: ports.dhcp,
      tftpPort: ports.tftp,
      httpPort: ports.http,
      dhcpLock: lock,
      signal: abort.signal,
      installMs: 100,
      log: (m) => lines.push(m),
    });

  beforeAll(async () => {
    ports = await freePorts();
    const site = `site: { name: simfw }
cluster: { name: simfw-c }
nodes: [{ serial: SIMFW-1, name: fw-1 }, { serial: SIMFW-2, name: fw-2 }, { softSerial: 52-54-00-5e-00-03, name: fw-3 }]
listen: { advertise: 127.0.0.1, host: 127.0.0.1, httpPort: ${ports.http}, tftpPort: ${ports.tftp}, dhcpPort: ${ports.dhcp} }
`;
    const stateDir = mkdtempSync(join(tmpdir(), 'eveboot-test-'));
    await prepareDemoImage(stateDir);
    const ipxeDir = prepareDemoIpxe(mkdtempSync(join(tmpdir(), 'eveboot-ipxe-')));
    t = await startTestAppliance({ stateDir, site, netboot: { dhcp: 'auto', ipxeDir, rehearsal: true } });
    // Read loosely: the assertions below pick fields by type name.
    t.app.events.on('event', (e) => events.push(e as unknown as Ev));
    await t.app.netboot!.start();
  });
  afterAll(async () => {
    abort.abort();
    await t?.stop();
  });

  it('encodes the SMBIOS UUID in option 97 the way the DHCP server decodes it', () => {
    expect(formatGuid(guidOption(NODES[0]!.smbiosUuid))).toBe(NODES[0]!.smbiosUuid);
    const derived = simSmbiosUuid('DEMO-0001');
    expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(formatGuid(guidOption(derived))).toBe(derived);
  });

  it('prepares the stand-in image once', async () => {
    const again = await prepareDemoImage(t.stateDir);
    expect(again.id).toBe('demo-stand-in-amd64');
    expect(again.boot).toMatchObject({ mode: 'kernel', kernel: 'kernel', initrd: ['initrd'] });
  });

  it('two nodes netboot at once: DHCP, TFTP, identity report, install decision, downloads, installed', async () => {
    const logs: string[][] = [[], []];
    const results = await Promise.all(NODES.map((n, i) => boot(n, logs[i]!)));
    for (const [i, r] of results.entries()) {
      const n = NODES[i]!;
      expect(r, logs[i]!.join('\n')).toMatchObject<Partial<NetbootResult>>({
        decision: 'install',
        installed: true,
        bootFile: 'snponly.efi',
      });
      // iPXE's kernel + initrd, then the installer's installer.iso (it takes CONFIG from inside it).
      expect(r.bytes).toBe(170 * 1024 + 32 * 2 ** 20 + ISO_BYTES);
      expect(r.softSerial).toBe(n.mac.replace(/:/g, '-'));
      // The CONFIG inside the served installer.iso is the appliance's, not the stock one baked into the ISO.
      const text = (f: string) => new TextDecoder().decode(readFile(r.config!, f));
      expect(text('root-certificate.pem')).toBe(
        t.app.pki.root.certPem.endsWith('\n') ? t.app.pki.root.certPem : `${t.app.pki.root.certPem}\n`,
      );
      expect(text('server')).not.toContain('zededa');
      expect(r.timings.map((s) => s.step)).toEqual([
        'dhcp',
        'tftp',
        'ipxe-dhcp',
        'script',
        'download',
        'download',
        'install',
      ]);
      const of = (type: string) => events.filter((e) => e.type === type && e.data.mac === n.mac);
      expect(of('dhcp').map((e) => e.data.reply)).toEqual(['OFFER', 'ACK', 'OFFER', 'ACK']);
      expect(of('dhcp')[1]!.data.bootFile).toBe('snponly.efi');
      expect(of('dhcp')[3]!.data.bootFile).toBe(`http://127.0.0.1:${ports.http}/boot/${n.mac.replace(/:/g, '-')}.ipxe`);
      const report = of('boot.report')[0]!;
      expect(report.data).toMatchObject({ uuid: n.smbiosUuid, serial: n.serial, buildarch: 'x86_64', platform: 'efi' });
      expect(report.data.nics).toEqual([
        { name: 'net0', mac: n.mac, link: 'up' },
        { name: 'net1', mac: n.mac.replace(/..$/, 'f1'), link: 'unknown' },
      ]);
      expect(of('boot.decision')[0]!.data.decision).toBe('install');
      const initrd = of('http.progress').filter((e) => String(e.data.path).endsWith('/initrd'));
      const bytes = initrd.map((e) => Number(e.data.bytes));
      expect(bytes.length).toBeGreaterThanOrEqual(2);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
      expect(bytes.at(-1)).toBe(24 * 2 ** 20);
      expect(of('boot.installed')).toHaveLength(1);
      expect(of('boot.installed')[0]!.data.server).toBe(text('server').trim());
    }
    const finished = events.filter((e) => e.type === 'tftp' && e.data.stage === 'finish');
    expect(finished.map((e) => String(e.data.client).split(':')[0]).sort()).toEqual(results.map((r) => r.ip).sort());
    expect(finished.every((e) => e.data.file === 'snponly.efi' && e.data.bytes === 170 * 1024)).toBe(true);
  }, 20_000);

  it('a node listed only by soft serial installs with eve_soft_serial and onboards with the CONFIG from the ISO', async () => {
    const lines: string[] = [];
    const r = await boot(SOFT, lines);
    expect(r, lines.join('\n')).toMatchObject({
      decision: 'install',
      installed: true,
      softSerial: '52-54-00-5e-00-03',
    });
    const text = (f: string) => new TextDecoder().decode(readFile(r.config!, f));
    const device = new SimDevice({
      server: t.server,
      rootCaPem: text('root-certificate.pem'),
      onboardCertPem: text('onboard.cert.pem'),
      onboardKeyPem: text('onboard.key.pem'),
      serial: '',
      softSerial: r.softSerial!,
      tpm: createSoftTpm(),
    });
    await device.onboard();
    expect(device.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.app.store.deviceByUuid(device.uuid!)).toMatchObject({ serial: '', softSerial: '52-54-00-5e-00-03' });
  }, 20_000);

  it('a second netboot of an installed machine gets the local-boot decision', async () => {
    const lines: string[] = [];
    const r = await boot(NODES[0]!, lines);
    expect(r.decision, lines.join('\n')).toBe('local');
    expect(r.installed).toBe(false);
    expect(r.bytes).toBe(170 * 1024);
    expect(r.timings.map((s) => s.step)).toEqual(['dhcp', 'tftp', 'ipxe-dhcp', 'script']);
    const decisions = events.filter((e) => e.type === 'boot.decision' && e.data.mac === NODES[0]!.mac);
    expect(decisions.at(-1)!.data.decision).toBe('local');
    expect(events.some((e) => e.type === 'boot.booting' && e.data.stage === 'local')).toBe(true);
  }, 10_000);
});
