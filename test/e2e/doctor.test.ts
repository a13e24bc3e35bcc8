// eveboot doctor in network namespaces: it names the serving interface and why, and its DHCP survey says whether
// --dhcp auto would run proxyDHCP (a server answered: dnsmasq on the other end) or full DHCP (nobody did).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { ROOT, until } from '../support/process.js';
import { Netns } from './dhcp-netns.js';

const p = prereq('doctor (netns)', { root: true, tools: ['ip', 'dnsmasq'] });

describe.skipIf(!p.ok)('eveboot doctor', () => {
  const net = new Netns();
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-doctor-'));
  let nsApp: string;
  let nsDhcp: string;
  let nsLone: string;
  const doctor = (ns: string) =>
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        join(ROOT, 'src', 'main.ts'),
        'doctor',
        '--probe-seconds',
        '5',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

  beforeAll(async () => {
    nsApp = net.ns('dra');
    nsDhcp = net.ns('drd');
    nsLone = net.ns('drl');
    net.veth(nsApp, 'site0', nsDhcp, 'srv0', '10.98.7.2/24', '10.98.7.1/24');
    const lone = net.ns('drx');
    net.veth(nsLone, 'eth9', lone, 'peer9', '10.98.8.2/24');
    net.spawn(nsDhcp, [
      'dnsmasq',
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--port=0',
      '--interface=srv0',
      '--bind-interfaces',
      '--dhcp-range=10.98.7.100,10.98.7.150,255.255.255.0,1h',
      `--dhcp-leasefile=${join(dir, 'leases')}`,
      `--pid-file=${join(dir, 'pid')}`,
      '--user=root',
    ]);
    // dnsmasq is ready once its DHCP socket is bound in its namespace.
    await until('dnsmasq listens on UDP 67', () =>
      / 0\.0\.0\.0:67 |:67 /.test(execFileSync('ip', ['netns', 'exec', nsDhcp, 'ss', '-Hlun'], { encoding: 'utf8' })),
    );
  });
  afterAll(() => net.cleanup());

  it('with a DHCP server on the segment: names the interface and says proxyDHCP', () => {
    const out = doctor(nsApp);
    expect(out).toMatch(/Serving interface: site0/);
    expect(out).toMatch(/DHCP survey: 10\.98\.7\.1 offered 10\.98\.7\.\d+/);
    expect(out).toMatch(/--dhcp auto runs proxyDHCP/);
  });

  it('alone on the segment: says full DHCP', () => {
    const out = doctor(nsLone);
    expect(out).toMatch(/Serving interface: eth9/);
    expect(out).toMatch(/no DHCP server answered on eth9 .* runs the full DHCP server/);
    // npm test builds the addon, so doctor reports both of its parts.
    expect(out).toMatch(/Interface binding: native addon loaded/);
    expect(out).toMatch(/TFTP data path: native data pump/);
  });

  it('no wired interface up: says what to do', () => {
    const empty = net.ns('dre');
    let failed = '';
    try {
      doctor(empty);
    } catch (e) {
      failed = String((e as { stdout?: string }).stdout ?? '');
    }
    expect(failed).toMatch(/plug the laptop into the site switch/);
  });
});
