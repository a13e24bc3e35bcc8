// TFTP under 1% DATA loss (nftables on the client's input hook, as in deps-evaluation §3.3), with
// the server and the client in two network namespaces this test creates and deletes. The loss is deterministic
// (every 100th packet from a transfer port: `numgen inc`, not `numgen random`) and the file is seeded bytes, so a
// failure replays exactly; the drop counter proves the loss happened. Speed under loss is a benchmark (bench/),
// not a test timeout: the test asserts byte-exact delivery and prints the time.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternBytes } from '../adapters/boot-fixture.js';
import { prereq } from '../support/prereq.js';

const p = prereq('tftp loss (netns + nftables)', { root: true, tools: ['ip', 'nft', 'atftp', 'curl'] });
const run = promisify(execFile);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SEED = 0x7f7a;

describe.skipIf(!p.ok)('TFTP under packet loss', () => {
  const tag = `evtl${process.pid % 100000}`;
  const srv = `${tag}s`;
  const cli = `${tag}c`;
  const net = `10.232.${process.pid % 250}`;
  const dir = mkdtempSync(join(tmpdir(), 'tftp-loss-'));
  const file = patternBytes(2 << 20, SEED);
  let child: ChildProcess | undefined;
  const sh = (...a: string[]) => execFileSync(a[0]!, a.slice(1), { stdio: 'pipe' });
  const inCli = (...a: string[]) => ['ip', 'netns', 'exec', cli, ...a];

  beforeAll(async () => {
    writeFileSync(join(dir, 'f.bin'), file);
    sh('ip', 'netns', 'add', srv);
    sh('ip', 'netns', 'add', cli);
    sh('ip', 'link', 'add', `${tag}a`, 'type', 'veth', 'peer', 'name', `${tag}b`);
    sh('ip', 'link', 'set', `${tag}a`, 'netns', srv);
    sh('ip', 'link', 'set', `${tag}b`, 'netns', cli);
    sh('ip', '-n', srv, 'addr', 'add', `${net}.1/24`, 'dev', `${tag}a`);
    sh('ip', '-n', cli, 'addr', 'add', `${net}.2/24`, 'dev', `${tag}b`);
    for (const [ns, dev] of [
      [srv, `${tag}a`],
      [cli, `${tag}b`],
    ] as const) {
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'link', 'set', dev, 'up');
    }
    // Drop 1% of what the server sends from transfer ports (DATA/OACK), never the request port.
    sh(...inCli('nft', 'add', 'table', 'inet', 'loss'));
    sh(...inCli('nft', 'add', 'chain', 'inet', 'loss', 'in', '{ type filter hook input priority 0; }'));
    sh(
      ...inCli(
        'nft',
        'add',
        'rule',
        'inet',
        'loss',
        'in',
        'ip',
        'saddr',
        `${net}.1`,
        'udp',
        'sport',
        '!=',
        '69',
        'numgen',
        'inc',
        'mod',
        '100',
        '<',
        '1',
        'counter',
        'drop',
      ),
    );
    const script = join(import.meta.dirname, 'tftp-serve.ts');
    child = spawn('ip', ['netns', 'exec', srv, process.execPath, '--import', 'tsx', script, dir, `${net}.1`, '69'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.once('data', () => resolve());
      child!.once('exit', (code) => reject(new Error(`tftp-serve exited with ${code}`)));
    });
  });

  afterAll(() => {
    if (child?.pid) child.kill('SIGKILL');
    for (const ns of [srv, cli]) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const dropped = () =>
    Number(/packets (\d+)/.exec(sh(...inCli('nft', 'list', 'chain', 'inet', 'loss', 'in')).toString())?.[1]);
  const cases: Array<{ name: string; argv: (out: string) => string[] }> = [
    {
      name: 'atftp lock-step (512-byte blocks)',
      argv: (o) => ['atftp', '-g', '-r', 'f.bin', '-l', o, `${net}.1`],
    },
    {
      name: 'atftp blksize 1468 windowsize 16',
      argv: (o) => [
        'atftp',
        '--option',
        'blksize 1468',
        '--option',
        'windowsize 16',
        '-g',
        '-r',
        'f.bin',
        '-l',
        o,
        `${net}.1`,
      ],
    },
    { name: 'curl', argv: (o) => ['curl', '-sS', '-o', o, `tftp://${net}.1/f.bin`] },
  ];
  for (const c of cases) {
    it(`${c.name}: 2 MiB byte-exact through deterministic 1% loss`, async () => {
      const out = join(dir, `out-${c.name.replace(/\W+/g, '-')}`);
      const before = dropped();
      const t0 = performance.now();
      await run('ip', ['netns', 'exec', cli, ...c.argv(out)], { timeout: 120_000 });
      const secs = (performance.now() - t0) / 1000;
      expect(sha(readFileSync(out)), `file seed ${SEED}`).toBe(sha(file));
      expect(dropped() - before, 'packets the loss rule dropped').toBeGreaterThan(0);
      console.log(`tftp loss, ${c.name}: ${secs.toFixed(1)} s, ${dropped() - before} packets dropped`);
    });
  }
});
