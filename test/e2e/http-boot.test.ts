// Real HTTP clients against the boot API on loopback: curl (ranges, HEAD, ETag) and busybox wget (what a
// busybox-based installer stand-in uses).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyPaths } from '../../src/adapters/http/boot-artifacts.js';
import { setReinstall } from '../../src/adapters/http/boot-machine-routes.js';
import {
  bootApiOnFakeBundle,
  fakeIsoConfigOffset,
  installConfigImage,
  MAC_A,
  patchedFakeIso,
  reportQuery,
} from '../adapters/boot-fixture.js';
import { prereq } from '../support/prereq.js';

const p = prereq('http-boot e2e (curl, busybox wget)', { tools: ['curl', 'busybox'], native: 'net' });
// What a machine being installed receives: EVE's ISO with its own install CONFIG in its config.img extent.
const iso = patchedFakeIso();
const configAt = fakeIsoConfigOffset();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
// The server runs in this process: clients must be spawned asynchronously, never with execFileSync.
const run = async (cmd: string, args: string[]): Promise<Buffer> =>
  (await promisify(execFile)(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;

describe.skipIf(!p.ok)('HTTP boot with real clients', () => {
  let t: Awaited<ReturnType<typeof bootApiOnFakeBundle>>;
  let base = '';
  const out = mkdtempSync(join(tmpdir(), 'eveboot-e2e-'));
  beforeAll(async () => {
    t = await bootApiOnFakeBundle();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  const curl = (...args: string[]) => run('curl', ['-sS', '--fail', ...args]);

  it('busybox wget runs the identity → report → installed flow', async () => {
    const wget = async (url: string) => (await run('busybox', ['wget', '-q', '-O', '-', url])).toString();
    expect(await wget(`${base}/boot/52-54-00-99-00-10.ipxe`)).toContain('/boot/report?');
    const script = await wget(`${base}/boot/report?${reportQuery(MAC_A)}`);
    expect(script).toContain('EFI/BOOT/BOOTX64.EFI');
    const nonce = /nonce=([A-Za-z0-9_-]{22})/.exec(script)?.[1];
    const file = join(out, 'config.img');
    await run('busybox', ['wget', '-q', '-O', file, `${base}/config.img`]);
    expect(Buffer.compare(readFileSync(file), installConfigImage(MAC_A))).toBe(0);
    expect(await wget(`${base}/boot/installed?mac=${MAC_A}&nonce=${nonce}`)).toBe('ok\n');
    expect(await wget(`${base}/boot/report?${reportQuery(MAC_A)}`)).toContain(': local');
    // Back to an install decision for the tests below (the patched installer.iso goes only to those).
    setReinstall(t.bootStore, (e) => t.events.push(e), MAC_A, true);
    expect(await wget(`${base}/boot/report?${reportQuery(MAC_A)}`)).toContain('EFI/BOOT/BOOTX64.EFI');
  });

  it('curl -r fetches exact ranges, and the whole file byte-identical', async () => {
    const url = `${base}/artifacts/14.5.1-k-amd64/installer.iso`;
    expect(Buffer.compare(await curl('-r', '100-4195', url), iso.subarray(100, 4196))).toBe(0);
    expect(Buffer.compare(await curl('-r', '-512', url), iso.subarray(iso.length - 512))).toBe(0);
    const file = join(out, 'iso');
    await curl('-o', file, url);
    expect(sha(readFileSync(file))).toBe(sha(iso));
    const status = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-r', `${iso.length}-`, url]);
    expect(status.toString()).toBe('416');
  });

  it('file bodies go out with sendfile, and the connection stays alive for the next request', async () => {
    const before = bodyPaths.sendfile;
    const url = `${base}/artifacts/14.5.1-k-amd64/installer.iso`;
    const [a, b] = [join(out, 'ka-a'), join(out, 'ka-b')];
    // One curl, two URLs: the second reuses the connection (num_connects 0) after a sendfile body.
    const w = await curl(
      '-w',
      '%{num_connects} ',
      '-o',
      a,
      url,
      '--next',
      '-sS',
      '--fail',
      '-w',
      '%{num_connects}',
      '-r',
      '10-99999',
      '-o',
      b,
      url,
    );
    expect(w.toString().trim().split(' ')).toEqual(['1', '0']);
    expect(sha(readFileSync(a))).toBe(sha(iso));
    expect(sha(readFileSync(b))).toBe(sha(iso.subarray(10, 100000)));
    expect(bodyPaths.sendfile - before).toBe(2);
  });

  it('ranges around the spliced config.img go out with sendfile + the CONFIG bytes, on one connection', async () => {
    const before = bodyPaths.sendfile;
    const url = `${base}/installer.iso`;
    const ranges = [
      [configAt - 5000, configAt + 5000], // file → CONFIG
      [configAt + 5120 * 1024 - 3, configAt + 5120 * 1024 + 70000], // CONFIG → file
      [configAt + 100, configAt + 200], // CONFIG only
      [configAt - 70000, configAt + 5120 * 1024 + 10], // file → CONFIG → file
    ];
    const args = ranges.flatMap(([a, b], i) => [
      ...(i > 0 ? ['--next', '-sS', '--fail'] : []),
      '-w',
      '%{num_connects} ',
      '-r',
      `${a}-${b}`,
      '-o',
      join(out, `splice-${i}`),
      url,
    ]);
    const w = await curl(...args);
    expect(w.toString().trim().split(' ')).toEqual(['1', '0', '0', '0']);
    ranges.forEach(([a, b], i) => {
      expect(sha(readFileSync(join(out, `splice-${i}`))), `${a}-${b}`).toBe(sha(iso.subarray(a, b! + 1)));
    });
    expect(bodyPaths.sendfile - before).toBe(4);
  });

  it('a client that goes away mid-body leaves the server serving', async () => {
    const { port } = new URL(base);
    const s = connect(Number(port), '127.0.0.1');
    s.write('GET /artifacts/14.5.1-k-amd64/installer.iso HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    s.destroy();
    const file = join(out, 'after-abort');
    await curl('-o', file, `${base}/installer.iso`);
    expect(sha(readFileSync(file))).toBe(sha(iso));
  });

  it('curl -I (HEAD) and If-None-Match', async () => {
    const url = `${base}/installer.iso`;
    const head = (await curl('-I', url)).toString();
    expect(head).toMatch(new RegExp(`content-length: ${iso.length}\\r?\\n`, 'i'));
    const etag = /etag: (".*?")/i.exec(head)![1]!;
    const code = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      `If-None-Match: ${etag}`,
      url,
    ]);
    expect(code.toString()).toBe('304');
  });

  it('curl --path-as-is traversal is refused', async () => {
    const code = await run('curl', [
      '-s',
      '--path-as-is',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${base}/artifacts/14.5.1-k-amd64/../../manifest.json`,
    ]);
    expect(['400', '404']).toContain(code.toString());
  });
});
