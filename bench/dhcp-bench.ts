// DHCP leases/s: eveboot's DhcpServer vs dnsmasq, side by side in one run, same namespaces, same load generator
// (test/e2e/dhcp-peer.ts `load`: DORA one client at a time, distinct chaddrs). Needs root, ip, dnsmasq. Not in npm test.
// Run (from the repo root):
//   npx tsc --outDir /tmp/eveboot-bench --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
//     --skipLibCheck --types node bench/dhcp-bench.ts && echo '{"type":"module"}' > /tmp/eveboot-bench/package.json \
//     && node /tmp/eveboot-bench/bench/dhcp-bench.js [clients-per-run=500] [rounds=3]   (README: 200 5)
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPeer, Lines, Netns, sh, stderrLine } from '../test/e2e/dhcp-netns.js';

const count = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 3);
const net = new Netns();
const peer = buildPeer();
const node = process.execPath;

interface LoadResult {
  leases: number;
  timeouts: number;
  perSecond: number;
  p50ms: number | null;
}

async function measure(): Promise<LoadResult> {
  const gen = new Lines(
    net.spawn(nsC, [node, peer.script, 'load', JSON.stringify({ count, ms: 30_000, target: '255.255.255.255' })]),
  );
  return (await gen.wait((l) => 'leases' in l, 40_000)) as unknown as LoadResult;
}

async function ours(): Promise<LoadResult> {
  const config = {
    mode: 'full',
    serverIp: '10.96.0.1',
    boot: {
      tftpServer: '10.96.0.1',
      scriptBaseUrl: 'http://10.96.0.1/',
      httpBootBaseUrl: 'http://10.96.0.1/',
      files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
    },
    pool: {
      start: '10.96.1.0',
      end: '10.96.200.255',
      subnetMask: '255.255.0.0',
      leaseSeconds: 3600,
      pxeLeaseSeconds: 120,
    },
  };
  const child = net.spawn(nsS, [node, peer.script, 'serve', JSON.stringify({ interface: 's0', config })]);
  const lines = new Lines(child);
  child.stdout?.resume();
  await lines.wait((l) => 'ready' in l);
  try {
    return await measure();
  } finally {
    child.kill('SIGKILL');
  }
}

async function dnsmasq(round: number): Promise<LoadResult> {
  const leasefile = join(peer.dir, `dnsmasq-${round}.leases`);
  const child = net.spawn(nsS, [
    'dnsmasq',
    '--keep-in-foreground',
    '--log-facility=-',
    '--conf-file=/dev/null',
    '--port=0',
    '--interface=s0',
    '--bind-interfaces',
    '--dhcp-range=10.96.1.0,10.96.200.255,255.255.0.0,1h',
    '--dhcp-lease-max=100000',
    `--dhcp-leasefile=${leasefile}`,
    '--no-ping',
    '--pid-file=',
    '--user=root',
  ]);
  await stderrLine(child, /DHCP, IP range/);
  try {
    return await measure();
  } finally {
    child.kill('SIGKILL');
  }
}

const nsS = net.ns('bs');
const nsC = net.ns('bc');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
try {
  net.veth(nsS, 's0', nsC, 'c0', '10.96.0.1/16', '10.96.0.2/16');
  sh('ip', '-n', nsC, 'route', 'add', '255.255.255.255', 'dev', 'c0');
  const results: Record<'eveboot' | 'dnsmasq', LoadResult[]> = { eveboot: [], dnsmasq: [] };
  for (let r = 0; r < rounds; r++) {
    // Interleaved, so machine noise hits both.
    results.eveboot.push(await ours());
    results.dnsmasq.push(await dnsmasq(r));
    console.log(
      `round ${r + 1}: eveboot ${results.eveboot[r]!.perSecond.toFixed(0)}/s, dnsmasq ${results.dnsmasq[r]!.perSecond.toFixed(0)}/s`,
    );
  }
  const row = (name: 'eveboot' | 'dnsmasq') => {
    const rs = results[name];
    const rates = rs.map((x) => x.perSecond);
    return `${name.padEnd(8)} ${median(rates).toFixed(0).padStart(6)} leases/s (min ${Math.min(...rates).toFixed(0)}, max ${Math.max(...rates).toFixed(0)}), p50 ${median(rs.map((x) => x.p50ms ?? 0)).toFixed(2)} ms, timeouts ${rs.reduce((n, x) => n + x.timeouts, 0)}`;
  };
  console.log(`\nDORA, ${count} distinct clients per run, ${rounds} rounds, median:`);
  console.log(row('eveboot'));
  console.log(row('dnsmasq'));
  const ratio = median(results.eveboot.map((x) => x.perSecond)) / median(results.dnsmasq.map((x) => x.perSecond));
  console.log(`ratio eveboot / dnsmasq = ${ratio.toFixed(2)}`);
} finally {
  net.cleanup();
  rmSync(peer.dir, { recursive: true, force: true });
}
