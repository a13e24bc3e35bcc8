// A factory-line rehearsal with the simulator, as bench/factory-line.ts runs it (appliance and simulator in
// separate processes): 12 clusters / 36 nodes started at once, one with an injected cabling failure that fails
// alone, and a complete record for every ready device. The 30-cluster figure is the bench's (npm run
// bench:line): on a loaded 2-core machine 30 clusters from the TypeScript sources outlast any fair test timeout. How many were in flight at the same moment depends on
// how busy the machine is, so it is the bench's figure (printed), like memory, and not asserted here.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';

describe('factory line rehearsal', () => {
  it('12 clusters complete, the injected failure fails only its own cluster, every record is complete', () => {
    // A port base of its own (the bench's default 30000 collides with a run in another checkout on this machine).
    const base = 32000 + (process.pid % 40) * 800;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'factory-line.ts'), '12', '3', `${base}`],
      {
        cwd: ROOT,
        env: { ...process.env, EVEBOOT_MAIN: 'src' },
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(r.stdout, `port base ${base}; stderr: ${r.stderr.slice(-2000)}`).toMatch(
      /failed clusters: c3 \(expected c3 only\)/,
    );
    expect(r.stdout).toMatch(/records: 33 ready=33, incomplete: 0/);
    console.log(/max in flight at once: \d+/.exec(r.stdout)?.[0]);
    expect(r.status, `${r.stdout}\n${r.stderr.slice(-3000)}`).toBe(0);
  }, 300_000);
});
