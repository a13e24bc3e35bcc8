// HTTP artifact benchmark (not part of npm test): one 1 GiB artifact to 3 concurrent curl clients on loopback,
// eveboot's boot API vs nginx (Debian nginx-light/nginx, started here with a temporary config), rounds
// interleaved.
// Run: npx tsx bench/http-bench.ts [--size-mib 1024] [--clients 3] [--rounds 3] [--nginx-workers 1]
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildBootApi } from '../src/adapters/http/boot-api.js';
import { IpMacTable } from '../src/adapters/http/boot-progress.js';
import { importImage } from '../src/adapters/image-import.js';
import { ImageStore } from '../src/adapters/image-store.js';
import { createLogger } from '../src/adapters/logger.js';
import { loadNativeSendfile } from '../src/adapters/native-addon.js';
import { MemoryBootStore } from '../src/adapters/sqlite-boot-store.js';

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    clients: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'nginx-workers': { type: 'string', default: '1' },
  },
});
const sizeMiB = Number(values['size-mib']);
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'eveboot-http-bench-'));

async function fetchAll(url: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const runs = Array.from({ length: clients }, () =>
    run('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{size_download}', url]),
  );
  const sizes = (await Promise.all(runs)).map((r) => Number(r.stdout));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sizes.some((s) => s !== sizeMiB * 2 ** 20)) throw new Error(`short download: ${sizes.join(', ')}`);
  return (clients * sizeMiB) / secs;
}

/** Rounds interleaved (the order flips every round), after one warm-up each; returns the medians. */
async function measure(targets: Array<{ name: string; url: string }>): Promise<number[]> {
  for (const t of targets) await fetchAll(t.url); // warm the page cache and the servers
  const rates = targets.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? targets.keys() : [...targets.keys()].reverse();
    for (const k of order) rates[k]!.push(await fetchAll(targets[k]!.url));
  }
  return targets.map((t, k) => {
    const rs = rates[k]!.sort((a, b) => a - b);
    const median = rs[Math.floor(rs.length / 2)]!;
    console.log(`${t.name.padEnd(34)} ${rs.map((r) => r.toFixed(0)).join(' / ')} MiB/s  (median ${median.toFixed(0)})`);
    return median;
  });
}

const bodyPath = () =>
  typeof loadNativeSendfile() === 'string' ? 'Node streams: addon not built' : 'sendfile thread per body';

async function startNginx(root: string, workers: string): Promise<{ port: number; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off; user root; worker_processes ${workers}; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on; default_type application/octet-stream;
  client_body_temp_path ${dir}/nb; proxy_temp_path ${dir}/np; fastcgi_temp_path ${dir}/nf;
  uwsgi_temp_path ${dir}/nu; scgi_temp_path ${dir}/ns;
  server { listen 127.0.0.1:${port}; root ${root}; } }\n`,
  );
  const p = spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'inherit' });
  for (let i = 0; i < 50; i++) {
    try {
      await run('curl', ['-sS', '-o', '/dev/null', `http://127.0.0.1:${port}/`]);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port, stop: () => p.kill('SIGTERM') };
}

async function main() {
  const src = join(dir, 'src');
  mkdirSync(src);
  const chunk = Buffer.alloc(2 ** 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(src, 'vmlinuz'), '');
  for (let i = 0; i < sizeMiB; i++) writeFileSync(join(src, 'vmlinuz'), chunk, { flag: 'a' });
  writeFileSync(join(src, 'initrd.img'), 'x');
  const images = join(dir, 'images');
  const m = await importImage(images, src, { version: 'bench', arch: 'amd64', now: new Date() });
  let events = 0;
  const app = buildBootApi({
    bootStore: new MemoryBootStore(),
    images: new ImageStore(images),
    httpServer: '127.0.0.1:0',
    controller: '127.0.0.1:8443',
    site: () => ({ nodes: [], policy: { localBoot: 'exit', unknownMachines: 'ignore' }, installArgs: [] }),
    configImageFor: () => new Uint8Array(0),
    // Nothing installs in this bench: only the artifact route is measured.
    issueOnboarding: () => Promise.reject(new Error('the bench makes no install decisions')),
    random: { bytes: (n) => new Uint8Array(n), uuid: () => '00000000-0000-4000-8000-000000000000' },
    ipMacs: new IpMacTable(),
    emit: () => {
      events++;
    },
    clock: { now: () => Date.now() },
    logger: createLogger({ level: 'warn' }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const ours = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/artifacts/${m.id}/vmlinuz`;
  console.log(`${sizeMiB} MiB artifact, ${clients} concurrent curl clients, ${rounds} rounds (after one warm-up)`);
  const ng = await startNginx(join(images, m.id), values['nginx-workers']!);
  let a: number | undefined = 0;
  let b: number | undefined = 0;
  try {
    [a, b] = await measure([
      { name: `eveboot (${bodyPath()})`, url: ours },
      { name: `nginx (${values['nginx-workers']} worker, sendfile)`, url: `http://127.0.0.1:${ng.port}/vmlinuz` },
    ]);
  } finally {
    ng.stop();
  }
  console.log(`ratio eveboot/nginx: ${((a ?? 0) / (b ?? 1)).toFixed(2)}   (progress events emitted: ${events})`);
  await app.close();
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
