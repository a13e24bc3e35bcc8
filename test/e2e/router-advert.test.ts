// The IPv6 Router Advertisement that spares iPXE its ~13 s IPv6 wait: sent through the native addon on one
// interface, received in the peer namespace as ICMPv6 type 134 with router lifetime 0 from a link-local address.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prereq } from '../support/prereq.js';
import { ROOT, until } from '../support/process.js';
import { Netns, sh } from './dhcp-netns.js';

const p = prereq('router advertisement (netns)', { root: true, tools: ['ip', 'python3'], native: 'net' });

describe.skipIf(!p.ok)('eveboot sends an IPv6 router advertisement on the serving interface', () => {
  const net = new Netns();
  let nsA: string;
  let nsB: string;
  beforeAll(async () => {
    nsA = net.ns('raa');
    nsB = net.ns('rab');
    for (const ns of [nsA, nsB])
      sh(
        'ip',
        'netns',
        'exec',
        ns,
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.accept_dad=0',
        'net.ipv6.conf.default.accept_dad=0',
      );
    net.veth(nsA, 'ra0', nsB, 'rb0');
    // Link-local addresses are tentative until duplicate address detection finishes (about a second).
    for (let i = 0; i < 50; i++) {
      const a = sh('ip', '-n', nsA, '-6', 'addr', 'show', 'ra0');
      const b = sh('ip', '-n', nsB, '-6', 'addr', 'show', 'rb0');
      if (/fe80::/.test(a) && /fe80::/.test(b) && !/tentative/.test(a + b)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => net.cleanup());

  it('the peer receives type 134 (cur hop limit 64, router lifetime 0) from our link-local address', async () => {
    const listener = spawn('ip', [
      'netns',
      'exec',
      nsB,
      'python3',
      '-c',
      [
        'import socket',
        's=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_ICMPV6)',
        's.settimeout(5)',
        'print("ready", flush=True)',
        'while True:',
        ' d,a=s.recvfrom(1500)',
        ' if d[0]==134: print(d[0],d[4],int.from_bytes(d[6:8],"big"),a[0], flush=True); break',
      ].join('\n'),
    ]);
    let out = '';
    listener.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await until('the listener has its raw socket open', () => out.startsWith('ready\n'), 10_000);
    const sent = execFileSync(
      'ip',
      ['netns', 'exec', nsA, process.execPath, '--import', 'tsx', join(ROOT, 'test', 'e2e', 'ra-runner.ts'), 'ra0'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(JSON.parse(sent)).toEqual({ sent: true });
    await new Promise<void>((resolve) => listener.on('close', () => resolve()));
    const [type, curHopLimit, lifetime, from] = out.slice('ready\n'.length).trim().split(' ');
    expect(type).toBe('134');
    expect(curHopLimit).toBe('64');
    expect(lifetime).toBe('0');
    expect(from).toMatch(/^fe80::/);
  });
});
