// A real client (tftp-hpa) asking in netascii hears ERROR 4 at once instead of timing out.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTftpServer, type TftpEvent, type TftpServer } from '../../src/adapters/tftp-server.js';
import { prereq } from '../support/prereq.js';

const run = promisify(execFile);
const p = prereq('tftp netascii refusal', { tools: ['tftp'] });

describe.skipIf(!p.ok)('TFTP refusals a real client hears', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tftp-attack-'));
  const events: TftpEvent[] = [];
  let server: TftpServer;
  let port = 0;
  beforeAll(async () => {
    writeFileSync(join(dir, 'boot.ipxe'), '#!ipxe\n');
    server = createTftpServer({ root: dir, address: '127.0.0.1', port: 0, onEvent: (e) => events.push(e) });
    port = (await server.listen()).port;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tftp-hpa in ascii (netascii) mode gets "Error code 4"', async () => {
    const out = join(dir, 'got.txt');
    const r = await run('tftp', ['-m', 'ascii', '127.0.0.1', String(port), '-c', 'get', 'boot.ipxe', out], {
      timeout: 20_000,
    }).catch((e: { stdout?: string; stderr?: string }) => e);
    expect(`${r.stdout ?? ''}${r.stderr ?? ''}`).toMatch(/Error code 4: .*netascii/);
    expect(events.some((e) => e.stage === 'refuse')).toBe(true);
  });
});
