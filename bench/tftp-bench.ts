// Side-by-side TFTP throughput: eveboot's server vs tftpd-hpa and dnsmasq, same clients, same file,
// interleaved.
//
//   npx tsx bench/tftp-bench.ts [--rounds 3] [--size-mib 50] [--loss-mib 2] [--no-loss] [--loopback]
//
// As root it builds two network namespaces joined by a veth pair (servers in one, clients in the
// other, as in docs/deps-evaluation.md §3.3) and adds a 1% DATA-loss run with nftables on the
// client's input hook. dnsmasq has no TFTP port option, so it gets a second server address on the
// same veth. Without root it falls back to 127.0.0.1 with high ports and skips loss and dnsmasq.
// Not part of `npm test`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTftpServer } from '../src/adapters/tftp-server.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const num = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

if (flag('--serve')) {
  // Child mode: our server in its own process, like in.tftpd.
  const [root, address, port] = args.slice(args.indexOf('--serve') + 1);
  const s = createTftpServer({
    root: root!,
    address: address!,
    port: Number(port),
    maxBlksize: 1468,
    maxWindowsize: 16,
  });
  await s.listen();
  process.stdout.write('ready\n');
  await new Promise(() => {});
}

const isRoot = process.getuid?.() === 0 && !flag('--loopback');
const rounds = num('--rounds', 3);
const sizeMiB = num('--size-mib', 50);
const lossMiB = num('--loss-mib', 2);
const id = `evbt${process.pid % 10000}`;
const srvNs = `${id}s`;
const cliNs = `${id}c`;
const srvIp = isRoot ? '10.231.77.1' : '127.0.0.1';
const dnsIp = '10.231.77.3';
const ports = isRoot ? { ours: 6969, hpa: 69, dnsmasq: 69 } : { ours: 16969, hpa: 16970, dnsmasq: 0 };
type Server = keyof typeof ports;
const servers: Server[] = isRoot ? ['ours', 'hpa', 'dnsmasq'] : ['ours', 'hpa'];
const ipOf = (s: Server) => (s === 'dnsmasq' ? dnsIp : srvIp);
/** Rotates the server order per round and client, so no server always runs first. */
const orderFor = (k: number): Server[] => servers.map((_, j) => servers[(j + k) % servers.length]!);

const sh = (cmd: string, a: string[]) => execFileSync(cmd, a, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const inNs = (ns: string, cmd: string[]) => (isRoot ? ['ip', 'netns', 'exec', ns, ...cmd] : cmd);

function setupNetns(): void {
  sh('ip', ['netns', 'add', srvNs]);
  sh('ip', ['netns', 'add', cliNs]);
  sh('ip', ['link', 'add', `${id}a`, 'type', 'veth', 'peer', 'name', `${id}b`]);
  sh('ip', ['link', 'set', `${id}a`, 'netns', srvNs]);
  sh('ip', ['link', 'set', `${id}b`, 'netns', cliNs]);
  sh('ip', ['-n', srvNs, 'addr', 'add', `${srvIp}/24`, 'dev', `${id}a`]);
  sh('ip', ['-n', srvNs, 'addr', 'add', `${dnsIp}/24`, 'dev', `${id}a`]);
  sh('ip', ['-n', cliNs, 'addr', 'add', '10.231.77.2/24', 'dev', `${id}b`]);
  for (const [ns, dev] of [
    [srvNs, `${id}a`],
    [cliNs, `${id}b`],
  ] as const) {
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
}

function teardown(children: ChildProcess[], dir: string): void {
  for (const c of children) c.kill('SIGKILL');
  if (isRoot) for (const ns of [srvNs, cliNs]) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  for (const g of cgroups.splice(0)) {
    // The servers were killed above; a cgroup can be removed once its last process has exited.
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(g);
        break;
      } catch {
        execFileSync('sleep', ['0.1']);
      }
    }
  }
}

async function startServers(dir: string): Promise<ChildProcess[]> {
  const self = fileURLToPath(import.meta.url);
  // `node --import tsx` keeps it one process, so killing it leaves no orphan behind.
  const oursCmd = inNs(srvNs, [process.execPath, '--import', 'tsx', self, '--serve', dir, srvIp, String(ports.ours)]);
  const ours = spawn(oursCmd[0]!, oursCmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => ours.stdout!.once('data', () => resolve()));
  const user = isRoot ? 'root' : sh('id', ['-un']).trim();
  const hpaCmd = inNs(srvNs, ['in.tftpd', '-L', '-a', `${srvIp}:${ports.hpa}`, '-s', '-u', user, '-B', '1468', dir]);
  const hpa = spawn(hpaCmd[0]!, hpaCmd.slice(1), { stdio: 'inherit' });
  const children = [ours, hpa];
  cpuOf.ours = cpuMeter('ours', ours.pid!);
  cpuOf.hpa = cpuMeter('hpa', hpa.pid!);
  if (isRoot) {
    // --port=0: no DNS; -u root: the bench root is a 0700 temp dir, like tftpd-hpa's `-u root`;
    // -k (foreground) rather than -d, so its per-transfer log lines go to the log file, not the table.
    const dnsCmd = inNs(srvNs, [
      'dnsmasq',
      '--port=0',
      '--enable-tftp',
      `--tftp-root=${dir}`,
      `--listen-address=${dnsIp}`,
      '--bind-interfaces',
      '--quiet-tftp',
      '-u',
      'root',
      `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      `--log-facility=${join(dir, 'dnsmasq.log')}`,
      '-k',
    ]);
    const dns = spawn(dnsCmd[0]!, dnsCmd.slice(1), { stdio: 'inherit' });
    cpuOf.dnsmasq = cpuMeter('dnsmasq', dns.pid!);
    children.push(dns);
  }
  await new Promise((r) => setTimeout(r, 300));
  return children;
}

interface Client {
  name: string;
  parallel?: number;
  cmd(ip: string, port: number, file: string, out: string): string[];
}

const clients: Client[] = [
  { name: 'tftp-hpa lock-step 512', cmd: (ip, p, f, o) => ['tftp', ip, String(p), '-m', 'binary', '-c', 'get', f, o] },
  {
    name: 'atftp blksize 1468',
    cmd: (ip, p, f, o) => ['atftp', '--option', 'blksize 1468', '-g', '-r', f, '-l', o, ip, String(p)],
  },
  {
    name: 'atftp blksize 1468 windowsize 4',
    cmd: (ip, p, f, o) => [
      'atftp',
      '--option',
      'blksize 1468',
      '--option',
      'windowsize 4',
      '-g',
      '-r',
      f,
      '-l',
      o,
      ip,
      String(p),
    ],
  },
  {
    name: 'curl blksize 1468',
    cmd: (ip, p, f, o) => ['curl', '-sS', '--tftp-blksize', '1468', '-o', o, `tftp://${ip}:${p}/${f}`],
  },
  {
    name: '8 parallel curl 1468',
    parallel: 8,
    cmd: (ip, p, f, o) => ['curl', '-sS', '--tftp-blksize', '1468', '-o', o, `tftp://${ip}:${p}/${f}`],
  },
];

function run(argv: string[]): Promise<void> {
  const full = inNs(cliNs, argv);
  return new Promise((resolve, reject) => {
    const c = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    let err = '';
    c.stderr!.on('data', (d) => (err += d));
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} -> ${code}: ${err}`))));
  });
}

/**
 * CPU seconds a server has used, with every process it forks (tftpd-hpa forks one per transfer and does
 * not leave them to be counted in its own times): each server goes into a control group of its own,
 * cgroup v1 cpuacct or v2, when the bench runs as root; otherwise its own /proc times.
 */
const cgroups: string[] = [];
function cpuMeter(name: string, pid: number): () => number {
  const tries: Array<[string, (dir: string) => number]> = [
    ['/sys/fs/cgroup/cpuacct', (d) => Number(readFileSync(join(d, 'cpuacct.usage'), 'utf8')) / 1e9],
    [
      '/sys/fs/cgroup/unified',
      (d) => Number(/usage_usec (\d+)/.exec(readFileSync(join(d, 'cpu.stat'), 'utf8'))![1]) / 1e6,
    ],
    ['/sys/fs/cgroup', (d) => Number(/usage_usec (\d+)/.exec(readFileSync(join(d, 'cpu.stat'), 'utf8'))![1]) / 1e6],
  ];
  if (isRoot) {
    for (const [base, read] of tries) {
      const dir = join(base, `${id}-${name}`);
      try {
        mkdirSync(dir);
        cgroups.push(dir);
        writeFileSync(join(dir, 'cgroup.procs'), String(pid));
        read(dir);
        return () => read(dir);
      } catch {
        // not this hierarchy
      }
    }
  }
  return () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime stime cutime cstime are fields 14-17 of stat(5); index 0 here is field 3.
    return fields.slice(11, 15).reduce((a, b) => a + Number(b), 0) / 100;
  };
}
const cpuOf: Partial<Record<string, () => number>> = {};

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `client` n times in parallel; returns wall and server CPU seconds after checking every copy. */
async function timed(
  client: Client,
  server: Server,
  file: string,
  dir: string,
  want: string,
): Promise<{ secs: number; cpu: number }> {
  const outs = Array.from({ length: client.parallel ?? 1 }, (_, i) => join(dir, `out-${server}-${i}`));
  const cpuSeconds = cpuOf[server]!;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await Promise.all(outs.map((o) => run(client.cmd(ipOf(server), ports[server], file, o))));
  const secs = (performance.now() - t0) / 1000;
  // tftpd-hpa's child is reaped (and counted) only after it exits; give it a moment.
  await new Promise((r) => setTimeout(r, 50));
  const cpu = cpuSeconds() - cpu0;
  for (const o of outs) if (sha(o) !== want) throw new Error(`${client.name} vs ${server}: sha256 mismatch`);
  for (const o of outs) rmSync(o);
  return { secs, cpu };
}

function setLoss(on: boolean): void {
  if (on) {
    // Drop 1% of DATA at the client's input; dropping on the server's output gives EPERM, not loss (§3.3).
    sh('ip', ['netns', 'exec', cliNs, 'nft', 'add', 'table', 'inet', 'evbloss']);
    sh('ip', [
      'netns',
      'exec',
      cliNs,
      'nft',
      'add',
      'chain',
      'inet',
      'evbloss',
      'in',
      '{ type filter hook input priority 0; }',
    ]);
    const rule = `ip saddr { ${srvIp}, ${dnsIp} } udp sport != { ${ports.ours}, 69 } numgen random mod 100 < 1 drop`;
    sh('ip', ['netns', 'exec', cliNs, 'nft', 'add', 'rule', 'inet', 'evbloss', 'in', ...rule.split(' ')]);
  } else {
    sh('ip', ['netns', 'exec', cliNs, 'nft', 'delete', 'table', 'inet', 'evbloss']);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tftp-bench-'));
  const children: ChildProcess[] = [];
  try {
    if (isRoot) setupNetns();
    const big = Buffer.allocUnsafe(sizeMiB << 20);
    for (let i = 0; i < big.length; i += 65536) big.set(createHash('sha512').update(String(i)).digest(), i);
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'small.bin'), big.subarray(0, lossMiB << 20));
    const want = sha(join(dir, 'big.bin'));
    const wantSmall = sha(join(dir, 'small.bin'));
    children.push(...(await startServers(dir)));
    console.log(
      `# ${isRoot ? 'veth between two netns' : 'loopback'}; ${sizeMiB} MiB file; ${rounds} rounds; sha256 checked on every copy`,
    );
    type Row = { name: string; unit: string; higherIsBetter: boolean; mib: number } & Record<Server, number[]> & {
        cpu: Record<Server, number[]>;
      };
    const row = (name: string, unit: string, higherIsBetter: boolean, mib: number): Row =>
      ({
        name,
        unit,
        higherIsBetter,
        mib,
        ours: [],
        hpa: [],
        dnsmasq: [],
        cpu: { ours: [], hpa: [], dnsmasq: [] },
      }) as Row;
    const rows: Row[] = clients.map((c) => row(c.name, 'MiB/s', true, sizeMiB * (c.parallel ?? 1)));
    for (let r = 0; r < rounds; r++) {
      for (const [i, c] of clients.entries()) {
        for (const s of orderFor(r + i)) {
          const t = await timed(c, s, 'big.bin', dir, want);
          rows[i]![s].push(rows[i]!.mib / t.secs);
          rows[i]!.cpu[s].push(t.cpu);
        }
      }
      process.stderr.write(`round ${r + 1}/${rounds} done\n`);
    }
    if (isRoot && !flag('--no-loss')) {
      const lossClients: Client[] = [
        { name: 'atftp lock-step 512', cmd: (ip, p, f, o) => ['atftp', '-g', '-r', f, '-l', o, ip, String(p)] },
        clients[2]!, // atftp blksize 1468 windowsize 4
      ];
      const lossRows = lossClients.map((c) => row(`${c.name}, 1% loss, ${lossMiB} MiB`, 's', false, lossMiB));
      setLoss(true);
      try {
        for (let r = 0; r < rounds; r++) {
          for (const [i, c] of lossClients.entries()) {
            for (const s of orderFor(r + i)) {
              const t = await timed(c, s, 'small.bin', dir, wantSmall);
              lossRows[i]![s].push(t.secs);
              lossRows[i]!.cpu[s].push(t.cpu);
            }
          }
          process.stderr.write(`loss round ${r + 1}/${rounds} done\n`);
        }
      } finally {
        setLoss(false);
      }
      rows.push(...lossRows);
    }
    const peers = servers.filter((s) => s !== 'ours');
    const names: Record<Server, string> = { ours: 'eveboot', hpa: 'tftpd-hpa', dnsmasq: 'dnsmasq' };
    const head = [...servers.map((s) => `${names[s]} median (min–max)`), ...peers.map((p) => `ours/${names[p]}`)];
    console.log(`| client | unit | ${head.join(' | ')} |`);
    console.log(`|---|---|${head.map(() => '---|').join('')}`);
    const fmt = (xs: number[]) =>
      `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
    for (const r of rows) {
      // Ratio > 1 means eveboot is better: throughput ratio, or time ratio inverted.
      const ratio = (p: Server) => (r.higherIsBetter ? median(r.ours) / median(r[p]) : median(r[p]) / median(r.ours));
      const cells = [...servers.map((s) => fmt(r[s])), ...peers.map((p) => `${ratio(p).toFixed(2)}×`)];
      console.log(`| ${r.name} | ${r.unit} | ${cells.join(' | ')} |`);
    }
    // What the speed costs: server CPU per MiB delivered (eveboot's pump busy-polls for ACKs).
    console.log(`\n| client | ${servers.map((s) => `${names[s]} CPU ms/MiB`).join(' | ')} |`);
    console.log(`|---|${servers.map(() => '---|').join('')}`);
    for (const r of rows) {
      const cells = servers.map((s) => ((median(r.cpu[s]) * 1000) / r.mib).toFixed(0));
      console.log(`| ${r.name} | ${cells.join(' | ')} |`);
    }
  } finally {
    teardown(children, dir);
  }
}

await main();
