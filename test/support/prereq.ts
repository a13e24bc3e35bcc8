// Prerequisites for tests that need real peers (root, network namespaces, swtpm, chromium, …).
// A test that cannot run says so: describe.skipIf(!p.ok) plus a line in test-output/skipped.txt,
// which scripts/test.sh prints at the end so a skip is never mistaken for a pass. A check that needs an extra
// tool is its own it.skipIf test, never an `if` inside a passing test (that would hide the skip).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadNativeNet, loadNativePump } from '../../src/adapters/native-addon.js';

export interface Prereq {
  ok: boolean;
  reason: string;
}

const outDir = join(process.cwd(), 'test-output');

function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Checks that every tool is on PATH (and root, and the native addon, when asked); records the reason when not. */
export function prereq(
  suite: string,
  opts: { tools?: string[]; root?: boolean; native?: 'net' | 'pump'; files?: { path: string; how: string }[] },
): Prereq {
  const missing = (opts.tools ?? []).filter((t) => !hasTool(t));
  const reasons: string[] = [];
  if (opts.root && !isRoot()) reasons.push('needs root (network namespaces)');
  const addon = opts.native === 'pump' ? loadNativePump() : opts.native === 'net' ? loadNativeNet() : undefined;
  if (typeof addon === 'string') reasons.push(addon);
  if (missing.length > 0) reasons.push(`missing tools: ${missing.join(', ')}`);
  for (const f of opts.files ?? []) if (!existsSync(f.path)) reasons.push(`missing ${f.path} (${f.how})`);
  const ok = reasons.length === 0;
  const reason = reasons.join('; ');
  if (!ok) recordSkip(suite, reason);
  return { ok, reason };
}

/** One line in test-output/skipped.txt: scripts/test.sh lists it, and under CI=true fails unless allowlisted. */
export function recordSkip(suite: string, reason: string): void {
  mkdirSync(outDir, { recursive: true });
  appendFileSync(join(outDir, 'skipped.txt'), `${suite}: ${reason}\n`);
}
