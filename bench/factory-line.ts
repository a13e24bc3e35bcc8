// Factory-line rehearsal: 30 clusters (90 simulated nodes), all in flight at once, one with an injected failure.
// The appliance (`eveboot serve --headless --rehearsal`) and the simulator (`eveboot sim`) run as separate
// processes from dist/, so the appliance's peak RSS (VmHWM) is measured alone. Prints the figures for the README.
// Usage: npm run build && npx tsx bench/factory-line.ts [clusters=30] [failIndex=3] [portBase=30000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUIRED_FIELDS } from '../src/core/report/device-record.js';
import { waitListening } from '../test/support/process.js';

const clusters = Number(process.argv[2] ?? 30);
const failIndex = Number(process.argv[3] ?? 3);
// Ports base+88, base+443 and base+500… (8 per cluster); the test passes its own base so that two worktrees or
// runs on one machine never share the appliance's ports.
const base = Number(process.argv[4] ?? 30000);
const dir = mkdtempSync(join(tmpdir(), 'eveboot-line-'));
const state = join(dir, 'state');
const manifest = join(dir, 'line.yaml');
const lines = ['site: { name: line-rehearsal }', 'clusters:'];
for (let k = 0; k < clusters; k++) {
  const nodes = [1, 2, 3].map((i) => `{ serial: L${String(k).padStart(3, '0')}-${i}, name: c${k}-n${i} }`).join(', ');
  lines.push(`  - { name: c${k}, prefix: 10.200.${k}.0/28, nodes: [${nodes}] }`);
}
lines.push(`listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${base + 443}, uiPort: ${base + 88} }`);
writeFileSync(manifest, `${lines.join('\n')}\n`);

// EVEBOOT_MAIN=src runs the TypeScript sources through tsx (the test does); the figures come from dist/.
const fromSrc = process.env.EVEBOOT_MAIN === 'src';
const main = join(import.meta.dirname, '..', fromSrc ? 'src/main.ts' : 'dist/main.js');
const nodeArgs = fromSrc ? ['--import', 'tsx'] : [];
const t0 = Date.now();
const appliance = spawn(
  process.execPath,
  [
    ...nodeArgs,
    main,
    'serve',
    '--no-netboot',
    '--headless',
    '--state',
    state,
    '--site',
    manifest,
    '--rehearsal',
    String(base),
    '--log-level',
    'warn',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
// Killed from outside (the test's timeout): take the appliance and the simulator down too, never leave them running.
let simPid: number | undefined;
process.once('SIGTERM', () => {
  for (const pid of [appliance.pid, simPid]) if (pid) process.kill(pid, 'SIGKILL');
  process.exit(1);
});
let peakRss = 0;
const sampler = setInterval(() => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${appliance.pid}/status`, 'utf8'));
    if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
  } catch {}
}, 500);
let inFlightMax = 0;
const inFlight = new Set<string>();
let buf = '';
const done = new Promise<{ ok: boolean; failed: string[] }>((resolve) => {
  appliance.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const e = JSON.parse(line) as { type: string; data?: Record<string, unknown>; ok?: boolean; failed?: string[] };
      if (e.type === 'cluster.planned') inFlight.add(String(e.data?.cluster));
      if (e.type === 'k3s.readiness' && e.data?.ready === true) inFlight.delete(String(e.data.cluster));
      if (e.type === 'cluster.plan.status' && String(e.data?.status).startsWith('cannot'))
        inFlight.delete(String(e.data?.cluster));
      inFlightMax = Math.max(inFlightMax, inFlight.size);
      if (e.type === 'batch.done') resolve({ ok: e.ok ?? false, failed: e.failed ?? [] });
    }
  });
});
await waitListening(base + 443); // the controller is up: start the nodes (a condition, not a 2.5 s sleep)
const sim = spawn(
  process.execPath,
  [
    ...nodeArgs,
    main,
    'sim',
    '--site',
    manifest,
    '--state',
    state,
    '--port-base',
    String(base),
    '--poll-ms',
    '1000',
    '--fail',
    `cable:${failIndex}`,
    '--quiet',
  ],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
simPid = sim.pid;
const result = await done;
const seconds = (Date.now() - t0) / 1000;
clearInterval(sampler);
sim.kill('SIGTERM');
appliance.kill('SIGTERM');
const records = readFileSync(join(state, 'records.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const required = REQUIRED_FIELDS;
const incomplete = records.filter((r) => r.result === 'ready' && required.some((k) => !r[k]));
console.log(`clusters: ${clusters} (${clusters * 3} nodes), max in flight at once: ${inFlightMax}`);
console.log(
  `batch: ${result.ok ? 'ok' : 'failed'}; failed clusters: ${result.failed.join(', ') || 'none'} (expected c${failIndex} only)`,
);
console.log(
  `records: ${records.length} ready=${records.filter((r) => r.result === 'ready').length}, incomplete: ${incomplete.length}`,
);
console.log(
  `wall time: ${seconds.toFixed(1)} s; appliance peak RSS: ${(peakRss / 1048576).toFixed(1)} MiB (limit 200 MiB)`,
);
const correct = result.failed.length === 1 && result.failed[0] === `c${failIndex}` && incomplete.length === 0;
const complete = records.filter((r) => r.result === 'ready').length === (clusters - 1) * 3;
// Memory is judged on the compiled appliance (dist/); through tsx the compiler itself sits in the heap.
const memoryOk = fromSrc || peakRss < 200 * 1048576;
console.log(`verdict: correct=${correct} complete=${complete} memory=${memoryOk}`);
process.exit(correct && complete && memoryOk ? 0 : 1);
