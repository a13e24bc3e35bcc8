// Real TFTP clients (curl, atftp, tftp-hpa) against our server on 127.0.0.1, sha256-checked.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTftpServer, type TftpEvent, type TftpServer } from '../../src/adapters/tftp-server.js';
import { prereq } from '../support/prereq.js';

const run = promisify(execFile);
const p = prereq('tftp peers', { tools: ['curl', 'atftp', 'tftp'] });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!p.ok)('TFTP server with real clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tftp-peers-'));
  const root = join(dir, 'root');
  const out = (name: string) => join(dir, name);
  // 34 MiB: more than 65535 blocks of 512 bytes, so tftp-hpa's lock-step download rolls over.
  const huge = randomBytes(34 << 20);
  const mid = randomBytes(5 << 20);
  const events: TftpEvent[] = [];
  let server: TftpServer;
  let port = 0;

  beforeAll(async () => {
    await run('mkdir', ['-p', root]);
    writeFileSync(join(root, 'huge.bin'), huge);
    writeFileSync(join(root, 'mid.bin'), mid);
    writeFileSync(join(root, 'exact.bin'), mid.subarray(0, 1468 * 100));
    server = createTftpServer({ root, address: '127.0.0.1', port: 0, onEvent: (e) => events.push(e) });
    port = (await server.listen()).port;
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectFile = (path: string, want: Uint8Array) => expect(sha(readFileSync(path))).toBe(sha(want));

  it('curl with default and 1468-byte blocks', async () => {
    await run('curl', ['-sS', '-o', out('c1'), `tftp://127.0.0.1:${port}/mid.bin`], { timeout: 30_000 });
    expectFile(out('c1'), mid);
    await run('curl', ['-sS', '--tftp-blksize', '1468', '-o', out('c2'), `tftp://127.0.0.1:${port}/mid.bin`]);
    expectFile(out('c2'), mid);
  });

  it('curl: a size that is an exact multiple of blksize ends with an empty block', async () => {
    await run('curl', ['-sS', '--tftp-blksize', '1468', '-o', out('c3'), `tftp://127.0.0.1:${port}/exact.bin`]);
    expectFile(out('c3'), mid.subarray(0, 1468 * 100));
  });

  for (const opts of [
    ['blksize 1468'],
    ['blksize 1468', 'windowsize 4'],
    ['blksize 1468', 'windowsize 16'],
    ['timeout 2'],
  ]) {
    it(`atftp --option ${opts.join(' --option ')}`, async () => {
      const name = `a-${opts.join('-').replace(/ /g, '')}`;
      const args = opts.flatMap((o) => ['--option', o]);
      await run('atftp', [...args, '-g', '-r', 'mid.bin', '-l', out(name), '127.0.0.1', String(port)], {
        timeout: 30_000,
      });
      expectFile(out(name), mid);
    });
  }

  it('tftp-hpa lock-step 512-byte blocks across the 65535 rollover', async () => {
    await run('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', 'huge.bin', out('h1')], {
      timeout: 60_000,
    });
    expectFile(out('h1'), huge);
  });

  it('8 parallel curl downloads are all byte-exact and reported per client', async () => {
    const before = events.length;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        run('curl', ['-sS', '--tftp-blksize', '1468', '-o', out(`p${i}`), `tftp://127.0.0.1:${port}/mid.bin`], {
          timeout: 60_000,
        }),
      ),
    );
    for (let i = 0; i < 8; i++) expectFile(out(`p${i}`), mid);
    // A client exits once it has sent its final ACK, which the server may not have read yet.
    await vi.waitFor(() => {
      // by file: the previous test's final event may arrive after `before` was taken
      const finished = events.slice(before).filter((e) => e.stage === 'finish' && e.file === 'mid.bin');
      expect(new Set(finished.map((e) => e.client)).size).toBe(8);
      expect(server.activeTransfers()).toBe(0);
    });
  });
});
