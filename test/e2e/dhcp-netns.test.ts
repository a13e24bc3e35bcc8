// Real DHCP peers in network namespaces: busybox udhcpc, ISC dhclient, dnsmasq as the site server, our server as
// full DHCP on one of two interfaces and as proxyDHCP next to dnsmasq; a junk flood must not stop it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { buildPeer, exited, hookScript, Lines, Netns, readEnvFile, sh, stderrLine } from './dhcp-netns.js';

const p = prereq('dhcp netns', { root: true, tools: ['udhcpc', 'dhclient', 'dnsmasq', 'ip'] });

const boot = (ip: string) => ({
  tftpServer: ip,
  scriptBaseUrl: `http://${ip}:8080/boot/`,
  httpBootBaseUrl: `http://${ip}:8080/ipxe/`,
  files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
});

describe.skipIf(!p.ok)('DHCP with real clients in network namespaces', () => {
  const net = new Netns();
  let peer: { script: string; dir: string };
  let hook: string;
  let nsS: string, nsC0: string, nsC1: string, nsD: string, nsP: string, nsC2: string;
  let server: Lines, proxy: Lines;

  beforeAll(async () => {
    peer = buildPeer();
    hook = hookScript(join(peer.dir, 'hook'));
    // Topology A: server namespace with two NICs; we serve only s0.
    nsS = net.ns('srv');
    nsC0 = net.ns('c0');
    nsC1 = net.ns('c1');
    net.veth(nsS, 's0', nsC0, 'c0', '10.99.0.1/24', undefined, '52:54:00:99:00:42');
    net.veth(nsS, 's1', nsC1, 'c1', '10.98.0.1/24');
    // Topology B: one L2 segment (bridge) with dnsmasq (site DHCP), our proxy and a client.
    const nsB = net.ns('br');
    nsD = net.ns('dns');
    nsP = net.ns('pxy');
    nsC2 = net.ns('c2');
    sh('ip', '-n', nsB, 'link', 'add', 'br0', 'type', 'bridge');
    sh('ip', '-n', nsB, 'link', 'set', 'br0', 'up');
    net.veth(nsB, 'bd', nsD, 'd0', undefined, '10.97.0.1/24');
    net.veth(nsB, 'bp', nsP, 'p0', undefined, '10.97.0.2/24');
    net.veth(nsB, 'bc', nsC2, 'c2', undefined, '10.97.0.50/24', '52:54:00:97:00:50');
    // A Node socket (unlike udhcpc's raw socket) needs a route to send a limited broadcast (deps-evaluation §3).
    sh('ip', '-n', nsC2, 'route', 'add', '255.255.255.255', 'dev', 'c2');
    for (const port of ['bd', 'bp', 'bc']) sh('ip', '-n', nsB, 'link', 'set', port, 'master', 'br0');

    const node = process.execPath;
    server = new Lines(
      net.spawn(nsS, [
        node,
        peer.script,
        'serve',
        JSON.stringify({
          interface: 's0',
          config: {
            mode: 'full',
            serverIp: '10.99.0.1',
            boot: boot('10.99.0.1'),
            pool: {
              start: '10.99.0.100',
              end: '10.99.0.150',
              subnetMask: '255.255.255.0',
              router: '10.99.0.1',
              leaseSeconds: 3600,
              pxeLeaseSeconds: 120,
            },
          },
        }),
      ]),
    );
    proxy = new Lines(
      net.spawn(nsP, [
        node,
        peer.script,
        'serve',
        JSON.stringify({ interface: 'p0', config: { mode: 'proxy', serverIp: '10.97.0.2', boot: boot('10.97.0.2') } }),
      ]),
    );
    const dnsmasq = net.spawn(nsD, [
      'dnsmasq',
      '--log-facility=-',
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--port=0',
      '--interface=d0',
      '--bind-interfaces',
      '--dhcp-range=10.97.0.100,10.97.0.150,255.255.255.0,1h',
      `--dhcp-leasefile=${join(peer.dir, 'dnsmasq.leases')}`,
      '--no-ping',
      '--pid-file=',
      '--user=root',
    ]);
    await stderrLine(dnsmasq, /DHCP, IP range/);
    await server.wait((l) => 'ready' in l);
    await proxy.wait((l) => 'ready' in l);
  });

  afterAll(() => {
    net.cleanup();
    if (peer) rmSync(peer.dir, { recursive: true, force: true });
  });

  async function udhcpc(ns: string, ifname: string, extra: string[]): Promise<Record<string, string> | undefined> {
    const out = join(peer.dir, `udhcpc-${ns}-${Date.now()}`);
    const child = net.spawn(
      ns,
      [
        'udhcpc',
        '-i',
        ifname,
        '-f',
        '-q',
        '-n',
        '-t',
        '3',
        '-T',
        '1',
        '-s',
        hook,
        '-O',
        'tftp',
        '-O',
        'bootfile',
        ...extra,
      ],
      { HOOK_OUT: out },
    );
    await exited(child);
    return readEnvFile(out);
  }

  it('the server binds to s0 (SO_BINDTODEVICE through the native addon)', async () => {
    const ready = (await server.wait((l) => 'ready' in l)).ready as { boundToDevice: boolean; warnings: string[] };
    expect(ready.warnings).toEqual([]);
    expect(ready.boundToDevice).toBe(true);
  });

  it('udhcpc as UEFI x64 PXE on the served NIC gets a lease, siaddr and snponly.efi', async () => {
    const env = await udhcpc(nsC0, 'c0', ['-V', 'PXEClient:Arch:00007:UNDI:002001', '-x', '0x5d:0007']);
    expect(env).toMatchObject({
      siaddr: '10.99.0.1',
      boot_file: 'snponly.efi',
      bootfile: 'snponly.efi',
      serverid: '10.99.0.1',
      lease: '120',
    });
    expect(env?.ip).toMatch(/^10\.99\.0\.1\d\d$/);
    // Broadcast flag clear: unicast to yiaddr:68 after SIOCSARP, as dnsmasq does (RFC 2131 §4.1).
    const ack = await server.wait((l) => l.mac === '52:54:00:99:00:42' && l.reply === 'ACK');
    expect(ack.sentTo).toBe(`${env?.ip}:68`);
  });

  it('udhcpc as BIOS PXE gets undionly.kpxe', async () => {
    sh('ip', '-n', nsC0, 'link', 'set', 'c0', 'address', '52:54:00:99:00:41');
    const env = await udhcpc(nsC0, 'c0', ['-V', 'PXEClient:Arch:00000:UNDI:002001', '-x', '0x5d:0000']);
    expect(env).toMatchObject({ siaddr: '10.99.0.1', boot_file: 'undionly.kpxe' });
  });

  it('dhclient is served as an ordinary client: a long lease and no boot file', async () => {
    sh('ip', '-n', nsC0, 'link', 'set', 'c0', 'address', '52:54:00:99:00:40');
    const out = join(peer.dir, 'dhclient.env');
    const dhclientHook = hookScript(join(peer.dir, 'hook'), 'dhclient-hook.sh', out);
    const leases = join(peer.dir, 'dhclient.leases');
    const conf = join(peer.dir, 'dhclient.conf');
    sh('sh', '-c', `: > ${leases}; echo 'timeout 10; retry 1;' > ${conf}`);
    const child = net.spawn(
      nsC0,
      [
        'dhclient',
        '-d',
        '-1',
        '-cf',
        conf,
        '-sf',
        dhclientHook,
        '-lf',
        leases,
        '-pf',
        join(peer.dir, 'dhclient.pid'),
        'c0',
      ],
      { HOOK_OUT: out },
    );
    const ev = await server.wait((l) => l.mac === '52:54:00:99:00:40' && l.reply === 'ACK');
    expect(ev).toMatchObject({
      firmware: 'unknown',
      ipxe: false,
      reason: expect.stringMatching(/ordinary DHCP client/),
    });
    const deadline = Date.now() + 5000;
    while (!readEnvFileKeep(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const env = readEnvFile(out);
    expect(env).toMatchObject({
      reason: 'BOUND',
      new_dhcp_lease_time: '3600',
      new_dhcp_server_identifier: '10.99.0.1',
    });
    expect(env?.new_filename).toBeUndefined();
  });

  it('a client on the other interface (s1) gets no answer and the server never sees it', async () => {
    const env = await udhcpc(nsC1, 'c1', ['-t', '2', '-V', 'PXEClient:Arch:00007:UNDI:002001']);
    expect(env).toBeUndefined();
    const c1mac = sh('ip', '-n', nsC1, '-br', 'link', 'show', 'c1').split(/\s+/)[2];
    expect(server.all.filter((l) => l.mac === c1mac)).toEqual([]);
  });

  it('a flood of junk does not stop the server; udhcpc still gets a lease afterwards', async () => {
    sh('ip', '-n', nsC0, 'addr', 'add', '10.99.0.9/24', 'dev', 'c0');
    const flood = new Lines(
      net.spawn(nsC0, [
        process.execPath,
        peer.script,
        'flood',
        JSON.stringify({ target: '10.99.0.1', port: 67, count: 3000 }),
      ]),
    );
    await flood.wait((l) => 'flooded' in l, 20_000);
    sh('ip', '-n', nsC0, 'addr', 'del', '10.99.0.9/24', 'dev', 'c0');
    sh('ip', '-n', nsC0, 'link', 'set', 'c0', 'address', '52:54:00:99:00:43');
    const env = await udhcpc(nsC0, 'c0', ['-V', 'PXEClient:Arch:00007:UNDI:002001', '-x', '0x5d:0007']);
    expect(env?.boot_file).toBe('snponly.efi');
    // The kernel drops part of a 3000-datagram burst when the socket buffer fills (more so on a loaded CI machine);
    // what matters is that the junk that arrived was refused one by one and the server still answers.
    expect(server.all.filter((l) => l.type === 'dhcp-malformed').length).toBeGreaterThan(100);
    expect(server.all.filter((l) => l.type === 'dhcp-error')).toEqual([]);
  });

  it('proxy mode: dnsmasq gives the address, we give only the boot file (on 67 and on 4011)', async () => {
    const client = new Lines(
      net.spawn(nsC2, [
        process.execPath,
        peer.script,
        'pxe-client',
        JSON.stringify({ mac: '52:54:00:97:00:50', arch: 7, ms: 1500, pxeServer: '10.97.0.2' }),
      ]),
    );
    const { replies } = (await client.wait((l) => 'replies' in l)) as { replies: Record<string, unknown>[] };
    const site = replies.find((r) => r.from === '10.97.0.1:67' && r.type === 'Offer');
    const ours = replies.find((r) => r.from === '10.97.0.2:67' && r.type === 'Offer');
    const ack = replies.find((r) => r.from === '10.97.0.2:4011' && r.type === 'Ack');
    expect(site?.yiaddr).toMatch(/^10\.97\.0\.1\d\d$/);
    expect(ours).toMatchObject({
      yiaddr: '0.0.0.0',
      siaddr: '10.97.0.2',
      file: 'snponly.efi',
      vendorClass: 'PXEClient',
      has43: true,
    });
    expect(ack).toMatchObject({ yiaddr: '0.0.0.0', file: 'snponly.efi', vendorClass: 'PXEClient' });
  });

  it('proxy mode: a plain udhcpc gets its lease from dnsmasq and is ignored by us, with a reason', async () => {
    const env = await udhcpc(nsC2, 'c2', []);
    expect(env).toMatchObject({ serverid: '10.97.0.1' });
    expect(env?.boot_file).toBeUndefined();
    await proxy.wait(
      (l) =>
        l.mac === '52:54:00:97:00:50' &&
        l.decision === 'ignore' &&
        /not a PXE\/HTTP boot client/.test(String(l.reason)),
    );
  });

  it('the probe (for --dhcp auto) finds dnsmasq from the proxy namespace', async () => {
    const probe = new Lines(
      net.spawn(nsP, [
        process.execPath,
        peer.script,
        'probe',
        JSON.stringify({ interface: 'p0', mac: '52:54:00:97:00:02', timeoutMs: 1500 }),
      ]),
    );
    const res = (await probe.wait((l) => 'servers' in l)) as {
      servers: { serverId: string; bootsPxe: boolean }[];
      boundToDevice: boolean;
    };
    expect(res.boundToDevice).toBe(true);
    expect(res.servers).toEqual([expect.objectContaining({ serverId: '10.97.0.1', bootsPxe: false })]);
  });
});

function readEnvFileKeep(path: string): boolean {
  try {
    return sh('cat', path).includes('BOUND');
  } catch {
    return false;
  }
}
