// The site CONFIG inside a real installer.iso (eve-conformance §2): an ISO built by xorriso exactly as EVE builds
// it is imported, served over real HTTP (sendfile around the spliced config.img), and read back with xorriso
// -osirrox: its /config.img must be the site image, whole and assembled from Range requests, and every other
// byte must be the original ISO's.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyPaths } from '../../src/adapters/http/boot-artifacts.js';
import { CONFIG_IMG_SIZE, findEmbeddedConfig } from '../../src/core/iso/embedded-config.js';
import { bootApiOnFakeBundle, installConfigImage, MAC_A, makeTar, reportQuery } from '../adapters/boot-fixture.js';
import { prereq } from '../support/prereq.js';
import { buildEveIso, stockConfigImage } from './eve-iso.js';

const p = prereq('installer.iso CONFIG splice (xorriso, curl)', { tools: ['xorriso', 'curl'], native: 'net' });
const run = async (cmd: string, args: string[]): Promise<Buffer> =>
  (await promisify(execFile)(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** xorriso's own answer for where /config.img's data starts: `-find … -exec report_lba` (2048-byte blocks). */
function xorrisoConfigLba(iso: string, path = '/config.img'): number {
  const out = execFileSync('xorriso', ['-indev', iso, '-find', path, '-exec', 'report_lba'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = /File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*\d+\s*,\s*(\d+)\s*,/.exec(out);
  if (!m) throw new Error(`xorriso report_lba gave no ${path} line:\n${out}`);
  expect(Number(m[2])).toBe(CONFIG_IMG_SIZE);
  return Number(m[1]);
}

/** /config.img as xorriso extracts it from an ISO file. */
async function extractConfig(iso: string, dir: string): Promise<Buffer> {
  const out = join(dir, `extracted-${sha(Buffer.from(iso)).slice(0, 8)}.img`);
  rmSync(out, { force: true });
  await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/config.img', out]);
  return readFileSync(out);
}

describe.skipIf(!p.ok)('installer.iso served with the site CONFIG in place of its config.img', () => {
  const work = mkdtempSync(join(tmpdir(), 'eveboot-iso-'));
  let t: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
  let isoPath = '';
  let original: Buffer;
  let base = '';
  let at = 0;

  beforeAll(async () => {
    isoPath = buildEveIso(join(work, 'eve'));
    original = readFileSync(isoPath);
    at = xorrisoConfigLba(isoPath) * 2048;
    const grubEfi = readFileSync(join(work, 'eve', 'tree', 'EFI', 'BOOT', 'BOOTX64.EFI'));
    t = await bootApiOnFakeBundle({
      bundle: (dir) => {
        mkdirSync(dir, { recursive: true });
        const tar = join(dir, 'amd64.kvm.generic.installer-net.tar');
        const files = [
          { path: 'installer.iso', data: new Uint8Array(original) },
          { path: 'EFI/BOOT/BOOTX64.EFI', data: new Uint8Array(grubEfi) },
        ];
        writeFileSync(tar, makeTar(files));
        return tar;
      },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    // The patched ISO goes only to a machine whose last decision was install.
    expect((await run('curl', ['-sS', `${base}/boot/report?${reportQuery(MAC_A)}`])).toString()).toContain(
      'BOOTX64.EFI',
    );
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the reader finds config.img where xorriso put it, under every name scheme xorriso writes', () => {
    expect(t.manifest.embeddedConfig).toEqual({ path: 'installer.iso', offset: at, size: CONFIG_IMG_SIZE });
    for (const names of ['rock-ridge', 'joliet', 'iso9660'] as const) {
      const iso = buildEveIso(join(work, names), { names, out: `${names}.iso` });
      const b = readFileSync(iso);
      const found = findEmbeddedConfig((o, l) => b.subarray(o, o + l), b.length);
      expect(found, names).toEqual({
        kind: 'found',
        names,
        // Without Rock Ridge or Joliet the recorded identifier is upper case (ECMA-119 d-characters).
        config: {
          offset: xorrisoConfigLba(iso, names === 'iso9660' ? '/CONFIG.IMG' : '/config.img') * 2048,
          size: CONFIG_IMG_SIZE,
        },
      });
    }
    expect(same(original.subarray(at, at + CONFIG_IMG_SIZE), stockConfigImage())).toBe(true);
  });

  it('a whole GET: xorriso reads this install config.img out of it, and nothing else changed', async () => {
    const before = bodyPaths.sendfile;
    const served = join(work, 'served.iso');
    await run('curl', ['-sS', '--fail', '-o', served, `${base}/installer.iso`]);
    expect(bodyPaths.sendfile - before).toBe(1);
    const bytes = readFileSync(served);
    expect(bytes.length).toBe(original.length);
    expect(same(await extractConfig(served, work), installConfigImage(MAC_A))).toBe(true);
    expect(same(bytes.subarray(0, at), original.subarray(0, at))).toBe(true);
    expect(same(bytes.subarray(at + CONFIG_IMG_SIZE), original.subarray(at + CONFIG_IMG_SIZE))).toBe(true);
  });

  it('assembled from Range requests (odd sizes, crossing both ends of config.img) it is the same ISO', async () => {
    const chunk = 1_000_003;
    const parts: Buffer[] = [];
    for (let a = 0; a < original.length; a += chunk) {
      const b = Math.min(a + chunk, original.length) - 1;
      parts.push(
        await run('curl', ['-sS', '--fail', '-r', `${a}-${b}`, `${base}/artifacts/${t.manifest.id}/installer.iso`]),
      );
    }
    const assembled = join(work, 'assembled.iso');
    writeFileSync(assembled, Buffer.concat(parts));
    expect(sha(readFileSync(assembled))).toBe(sha(readFileSync(join(work, 'served.iso'))));
    expect(same(await extractConfig(assembled, work), installConfigImage(MAC_A))).toBe(true);
  });

  it('HEAD and Content-Length describe the patched ISO; its ETag is not the imported file one', async () => {
    const head = (await run('curl', ['-sS', '--fail', '-I', `${base}/installer.iso`])).toString();
    expect(head).toMatch(new RegExp(`content-length: ${original.length}\\r?\\n`, 'i'));
    const etag = /etag: "(.*?)"/i.exec(head)![1]!;
    expect(etag).not.toBe(sha(original).slice(0, 32));
  });
});
