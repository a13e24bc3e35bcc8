// Netns plumbing for the DHCP e2e tests: namespaces/veths/bridges named with our pid, peer processes, udhcpc/dhclient.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Tests and the bench run from the repository root. */
export const repo = process.cwd();
export const tag = `e${process.pid % 100000}`;

export function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class Netns {
  readonly namespaces: string[] = [];
  readonly procs: ChildProcess[] = [];

  ns(name: string): string {
    const full = `${tag}${name}`;
    sh('ip', 'netns', 'add', full);
    this.namespaces.push(full);
    sh('ip', '-n', full, 'link', 'set', 'lo', 'up');
    return full;
  }

  /** veth pair a@nsA — b@nsB, both up; optional IPv4 address on a / b. */
  veth(nsA: string, a: string, nsB: string, b: string, addrA?: string, addrB?: string, macB?: string): void {
    sh('ip', '-n', nsA, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', nsB);
    if (macB) sh('ip', '-n', nsB, 'link', 'set', b, 'address', macB);
    if (addrA) sh('ip', '-n', nsA, 'addr', 'add', addrA, 'dev', a);
    if (addrB) sh('ip', '-n', nsB, 'addr', 'add', addrB, 'dev', b);
    sh('ip', '-n', nsA, 'link', 'set', a, 'up');
    sh('ip', '-n', nsB, 'link', 'set', b, 'up');
  }

  spawn(ns: string, cmd: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...cmd], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.procs.push(child);
    return child;
  }

  cleanup(): void {
    for (const p of this.procs) if (p.exitCode === null && p.pid) p.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0)) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  }
}

/** JSON lines from a peer process, with a wait-for-line helper. */
export class Lines {
  readonly all: Record<string, unknown>[] = [];
  private readonly waiters: {
    pred: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];

  constructor(child: ChildProcess) {
    let buf = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        // serve without --headless also prints its human status lines: only the JSON ones are events.
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        this.all.push(line);
        for (const w of [...this.waiters]) {
          if (!w.pred(line)) continue;
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }

  wait(pred: (l: Record<string, unknown>) => boolean, ms = 10_000): Promise<Record<string, unknown>> {
    const seen = this.all.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no matching line within ${ms} ms; got ${JSON.stringify(this.all.slice(-5))}`)),
        ms,
      );
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
      });
    });
  }
}

/** Compiles test/e2e/dhcp-peer.ts (and the src it imports) into a scratch dir; returns the runnable path. */
export function buildPeer(): { script: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-dhcp-peer-'));
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--outDir',
      dir,
      '--rootDir',
      repo,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--strict',
      '--skipLibCheck',
      '--types',
      'node',
      join(repo, 'test/e2e/dhcp-peer.ts'),
    ],
    { cwd: repo },
  );
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  if (existsSync(join(repo, 'native'))) symlinkSync(join(repo, 'native'), join(dir, 'native'));
  return { script: join(dir, 'test/e2e/dhcp-peer.js'), dir };
}

/**
 * A udhcpc/dhclient hook script that dumps its environment on bound/BOUND into `out` (default: $HOOK_OUT).
 * dhclient gives its script a fresh environment, so it needs the path baked in.
 */
export function hookScript(dir: string, name = 'hook.sh', out = '"$HOOK_OUT"'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\ncase "\${1:-$reason}" in bound|BOUND) env > ${out};; esac\nexit 0\n`);
  chmodSync(path, 0o755);
  return path;
}

export function readEnvFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  rmSync(path);
  return env;
}

/** Resolves when a line of the child's stderr matches. */
export function stderrLine(child: ChildProcess, re: RegExp, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`no stderr line ${re} within ${ms} ms: ${text}`)), ms);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (re.test(text)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

/** Resolves with the exit code. */
export function exited(child: ChildProcess): Promise<number | null> {
  // A child killed by a signal keeps exitCode null and sets signalCode: it has exited all the same.
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.on('exit', (code) => r(code)));
}
