// `eveboot serve` itself, network boot included, in network namespaces the test creates: a PXE client gets a
// lease and the boot file from the full DHCP server, fetches it over TFTP, then walks the iPXE chain over HTTP
// (per-machine script, identity report, decision) — and the appliance's event log shows each step.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { ROOT } from '../support/process.js';
import { hookScript, Lines, Netns, readEnvFile, sh } from './dhcp-netns.js';

const p = prereq('serve with network boot (netns)', { root: true, tools: ['udhcpc', 'busybox', 'ip', 'curl'] });

describe.skipIf(!p.ok)('eveboot serve boots a PXE client through DHCP, TFTP and HTTP', () => {
  const net = new Netns();
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-netboot-'));
  const mac = '52:54:00:77:00:01';
  let nsS: string;
  let nsC: string;
  let lines: Lines;
  const token = 'netboot-test-access-token-01';

  beforeAll(async () => {
    nsS = net.ns('nbs');
    nsC = net.ns('nbc');
    net.veth(nsS, 'vs0', nsC, 'vc0', '10.77.0.1/24', undefined, mac);
    const ipxe = join(dir, 'ipxe');
    mkdirSync(ipxe);
    writeFileSync(join(ipxe, 'snponly.efi'), Buffer.alloc(70_000, 0x5a));
    writeFileSync(join(ipxe, 'undionly.kpxe'), Buffer.alloc(40_000, 0x33));
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      `site: { name: nb }
cluster: { name: nb-c }
nodes: [{ serial: NB-1, mac: ${mac} }, { serial: NB-2 }, { serial: NB-3 }]
listen: { advertise: 10.77.0.1, host: 0.0.0.0, controllerPort: 8443, httpPort: 8080, uiPort: 8088 }
ui: { accessToken: ${token} }
`,
    );
    const child = net.spawn(nsS, [
      process.execPath,
      '--import',
      'tsx',
      join(ROOT, 'src', 'main.ts'),
      'serve',
      '--headless',
      '--state',
      join(dir, 'state'),
      '--site',
      site,
      '--interface',
      'vs0',
      '--dhcp',
      'full',
      '--ipxe-dir',
      ipxe,
    ]);
    lines = new Lines(child);
    await lines.wait((l) => l.type === 'network.ready', 30_000);
  }, 60_000);
  afterAll(() => net.cleanup());

  it('udhcpc as UEFI PXE gets an address, next-server and snponly.efi', () => {
    const hook = hookScript(join(dir, 'hook'));
    const out = join(dir, 'lease.env');
    sh(
      'ip',
      'netns',
      'exec',
      nsC,
      'env',
      `HOOK_OUT=${out}`,
      'udhcpc',
      '-i',
      'vc0',
      '-f',
      '-q',
      '-n',
      '-t',
      '4',
      '-T',
      '1',
      '-s',
      hook,
      '-O',
      'tftp',
      '-O',
      'bootfile',
      '-V',
      'PXEClient:Arch:00007:UNDI:003016',
      '-x',
      '0x5d:0007',
    );
    const env = readEnvFile(out);
    expect(env?.siaddr).toBe('10.77.0.1');
    expect(env?.boot_file ?? env?.bootfile).toBe('snponly.efi');
    sh('ip', '-n', nsC, 'addr', 'add', `${env!.ip}/24`, 'dev', 'vc0');
  });

  it('TFTP serves the boot file byte-exact; HTTP serves the per-machine script and the decision', () => {
    const got = join(dir, 'got.efi');
    sh('ip', 'netns', 'exec', nsC, 'busybox', 'tftp', '-g', '-b', '1468', '-r', 'snponly.efi', '-l', got, '10.77.0.1');
    expect(sh('sha256sum', got).split(' ')[0]).toBe(sh('sha256sum', join(dir, 'ipxe', 'snponly.efi')).split(' ')[0]);
    const script = sh(
      'ip',
      'netns',
      'exec',
      nsC,
      'curl',
      '-sS',
      `http://10.77.0.1:8080/boot/${mac.replace(/:/g, '-')}.ipxe`,
    );
    expect(script).toMatch(/^#!ipxe/);
    expect(script).toContain('/boot/report');
    const decision = sh(
      'ip',
      'netns',
      'exec',
      nsC,
      'curl',
      '-sS',
      `http://10.77.0.1:8080/boot/report?mac=${mac}&serial=NB-1&uuid=00112233-4455-6677-8899-aabbccdd0001&buildarch=x86_64&platform=efi&net0mac=${mac}&net0link=up`,
    );
    expect(decision).toMatch(/^#!ipxe/);
  });

  it("the appliance's log has the DHCP, TFTP and boot events, and the UI API reports the network", async () => {
    await lines.wait((l) => l.type === 'tftp' && (l.data as Record<string, unknown>).stage === 'finish');
    await lines.wait((l) => l.type === 'boot.report');
    const dhcp = lines.all.filter((l) => l.type === 'dhcp').map((l) => (l.data as Record<string, unknown>).reply);
    expect(dhcp).toEqual(expect.arrayContaining(['OFFER', 'ACK']));
    const site = JSON.parse(
      sh(
        'ip',
        'netns',
        'exec',
        nsS,
        'curl',
        '-sS',
        '-H',
        `Authorization: Bearer ${token}`,
        'http://127.0.0.1:8088/api/v1/site',
      ),
    );
    expect(site.network).toMatchObject({ interface: 'vs0', address: '10.77.0.1', dhcp: { mode: 'full' } });
  });
});
