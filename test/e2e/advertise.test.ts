// The address written into every node's CONFIG (`server`) must be one the nodes can reach. `serve` with network
// boot on a real interface takes that interface's address when the site file gives none, and refuses a loopback
// listen.advertise with a message naming the interface; `usb build` refuses loopback or no address at all.

import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { eveboot, ROOT } from '../support/process.js';
import { Netns } from './dhcp-netns.js';

const p = prereq('listen.advertise on a real interface (netns)', { root: true, tools: ['ip'] });

function collect(child: ChildProcess) {
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const until = async (re: RegExp, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!re.test(out.stdout)) {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${out.stderr}`);
      if (Date.now() > end) throw new Error(`no ${re} in ${ms} ms: ${out.stdout}${out.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { out, exited, until };
}

describe.skipIf(!p.ok)('listen.advertise for real nodes', () => {
  const net = new Netns();
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-advertise-'));
  let ns: string;
  const ipxe = join(dir, 'ipxe');

  beforeAll(() => {
    ns = net.ns('adv');
    const peer = net.ns('advp');
    net.veth(ns, 'vs0', peer, 'vp0', '10.78.0.1/24');
    mkdirSync(ipxe);
    writeFileSync(join(ipxe, 'snponly.efi'), Buffer.alloc(1000, 1));
  });
  afterAll(() => net.cleanup());

  const serve = (name: string, listen: string) => {
    const site = join(dir, `${name}.yaml`);
    writeFileSync(site, `site: { name: ${name} }\ncluster: { name: c }\nlisten: { ${listen} }\n`);
    const args = ['serve', '--state', join(dir, name), '--site', site, '--interface', 'vs0', '--dhcp', 'off'];
    return collect(
      net.spawn(ns, [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'main.ts'), ...args, '--ipxe-dir', ipxe]),
    );
  };

  it('a loopback listen.advertise with network boot on vs0 is refused, naming the interface', async () => {
    const s = serve('loop', 'advertise: 127.0.0.1, host: 0.0.0.0');
    expect(await s.exited).toBe(1);
    expect(s.out.stderr).toContain(
      'listen.advertise: listen.advertise is 127.0.0.1, but nodes boot on vs0 (10.78.0.1)',
    );
  });

  it("without listen.advertise the serving interface's address is advertised and in the controller's TLS cert", async () => {
    const s = serve('auto', 'host: 0.0.0.0, controllerPort: 18443, httpPort: 18080, tftpPort: 16969, uiPort: 18088');
    await s.until(/advertised as {3}10\.78\.0\.1 \(the address of vs0, the interface the nodes boot on\)/);
    expect(s.out.stdout).toContain('EVE controller  https://10.78.0.1:18443/');
    const tls = new X509Certificate(readFileSync(join(dir, 'auto', 'pki', 'tls.cert.pem')));
    expect(tls.subjectAltName).toContain('IP Address:10.78.0.1');
  });
});

describe('usb build needs an address real nodes can reach', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-usb-adv-'));
  const cases = [
    {
      name: 'loopback in the site file',
      listen: 'advertise: 127.0.0.1',
      args: [],
      want: 'USB media is for real boxes',
    },
    { name: 'no address anywhere', listen: 'controllerPort: 8443', args: [], want: 'set listen.advertise' },
    {
      name: 'a loopback --advertise',
      listen: 'controllerPort: 8443',
      args: ['--advertise', 'localhost'],
      want: 'USB media is for real boxes',
    },
  ];
  for (const c of cases) {
    it(`${c.name} is refused before any image is read`, async () => {
      const site = join(dir, 'site.yaml');
      writeFileSync(site, `site: {name: u}\ncluster: {name: c}\nlisten: {${c.listen}}\n`);
      const child = eveboot([
        'usb',
        'build',
        '--site',
        site,
        '--image',
        join(dir, 'none.raw'),
        '--out',
        join(dir, 'o.img'),
        ...c.args,
      ]);
      expect(await child.exited).toBe(2);
      expect(child.stderr.join('')).toContain(c.want);
    });
  }
});
