// Thirty concurrent 31 MiB unsigned POSTs against `eveboot serve` (a separate process, run from dist/ as it
// ships) must leave its peak RSS (VmHWM from /proc) under 300 MiB. Before per-route body limits and the
// per-IP cap the same load drove RSS to 1.5 GiB. Loops are bounded by count; nothing asserts timing.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/process.js';

const MiB = 1024 * 1024;
const BODY = 31 * MiB;
const CHUNK = Buffer.alloc(MiB, 0x41);

function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** One attacker POST: 31 MiB of junk, chunked (no Content-Length) unless `declare` is set. */
function flood(port: number, path: string, declare: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      rejectUnauthorized: false,
      headers: {
        'content-type': 'application/x-proto-binary',
        ...(declare ? { 'content-length': String(BODY) } : {}),
      },
    });
    let sent = 0;
    const pump = () => {
      while (sent < BODY) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once('drain', pump);
      }
      req.end();
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      req.destroy();
    });
    req.on('error', () => resolve(-1)); // the server hung up mid-upload: that is a refusal too
    pump();
  });
}

describe('memory under a flood of large unsigned POSTs', () => {
  let child: ChildProcess;
  let port = 0;
  const figures: string[] = [];
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('build dist first: npx tsc -p tsconfig.json');
    const dir = mkdtempSync(join(tmpdir(), 'eveboot-flood-'));
    port = await freePort();
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      `site: { name: flood }\ncluster: { name: flood-cluster }\nnodes: [{ serial: F-1 }]\n` +
        `listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${port}, uiPort: ${await freePort()} }\n`,
    );
    child = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'main.js'), 'serve', '--state', join(dir, 'state'), '--site', site, '--no-netboot'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('EVE controller')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
  }, 60_000);
  afterAll(() => {
    child?.kill('SIGKILL');
    if (figures.length) console.log(figures.join('\n'));
  });

  const cases: { name: string; path: string; declare: boolean }[] = [
    { name: 'register, Content-Length declared', path: '/api/v2/edgedevice/register', declare: true },
    { name: 'register, chunked', path: '/api/v2/edgedevice/register', declare: false },
    {
      name: 'newlogs (the largest limit), chunked',
      path: '/api/v2/edgedevice/id/00000000-0000-0000-0000-000000000001/newlogs',
      declare: false,
    },
  ];
  for (const c of cases) {
    it(`30 × 31 MiB to ${c.name}: all refused, peak RSS under 300 MiB`, async () => {
      const before = rssKiB(child.pid!, 'VmRSS');
      const statuses = await Promise.all(Array.from({ length: 30 }, () => flood(port, c.path, c.declare)));
      const peak = rssKiB(child.pid!, 'VmHWM');
      const after = rssKiB(child.pid!, 'VmRSS');
      figures.push(
        `${c.name}: RSS before ${before >> 10} MiB, peak ${peak >> 10} MiB, after ${after >> 10} MiB; statuses ${[...new Set(statuses)].join(',')}`,
      );
      expect(statuses.every((s) => s !== 200 && s !== 201)).toBe(true);
      expect(peak).toBeLessThan(300 * 1024);
      expect(child.exitCode).toBeNull();
    }, 120_000);
  }
});
