// The addon's sendfile thread (native/src/sendfile_pump.c) on a real TCP connection on loopback: a whole
// body byte-exact with progress that adds up, an early stop while the client does not read, and a file
// that cannot be opened.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeSendfile, type NativeSendfile } from '../../src/adapters/native-addon.js';
import { prereq } from '../support/prereq.js';

const p = prereq('sendfile thread of the native addon', { native: 'net' });
const ECANCELED = 125;

describe.skipIf(!p.ok)('native sendfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eveboot-sendfile-'));
  const file = join(dir, 'body.bin');
  const body = randomBytes(48 << 20);
  let server: Server;
  let accepted: Promise<Socket>;
  const native = loadNativeSendfile() as NativeSendfile;

  beforeAll(async () => {
    writeFileSync(file, body);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A connected pair: the server side (whose fd the thread writes to) and the client. */
  async function pair(): Promise<{ srv: Socket; cli: Socket; fd: number }> {
    accepted = new Promise((resolve) => server.once('connection', resolve));
    const { port } = server.address() as { port: number };
    const cli = connect(port, '127.0.0.1');
    const srv = await accepted;
    const fd = (srv as unknown as { _handle: { fd: number } })._handle.fd;
    return { srv, cli, fd };
  }

  type Report = { sent: number; done: boolean; errno: number };
  const run = (fd: number, offset: number, length: number) => {
    const reports: Report[] = [];
    let handle: ReturnType<NativeSendfile['sendfileStart']> | undefined;
    const done = new Promise<Report>((resolve) => {
      handle = native.sendfileStart(fd, file, offset, length, (sent, isDone, errno) => {
        reports.push({ sent, done: isDone, errno });
        if (isDone) resolve({ sent, done: isDone, errno });
      });
    });
    return { done, reports, stop: () => native.sendfileStop(handle!) };
  };

  it('sends the range byte-exact, and its progress reports grow to the length', async () => {
    const { srv, cli, fd } = await pair();
    const chunks: Buffer[] = [];
    cli.on('data', (c) => chunks.push(c));
    const r = run(fd, 1000, body.length - 2000);
    const last = await r.done;
    expect(last).toEqual({ sent: body.length - 2000, done: true, errno: 0 });
    srv.end();
    await new Promise((resolve) => cli.once('end', resolve));
    expect(Buffer.concat(chunks).equals(body.subarray(1000, body.length - 1000))).toBe(true);
    const sents = r.reports.map((x) => x.sent);
    expect(sents).toEqual([...sents].sort((a, b) => a - b));
  });

  it('stops early when asked, while the client reads nothing', async () => {
    const { srv, cli, fd } = await pair();
    cli.pause();
    const r = run(fd, 0, body.length);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the socket buffers fill up, the thread waits
    r.stop();
    const last = await r.done;
    expect(last.errno).toBe(ECANCELED);
    expect(last.sent).toBeLessThan(body.length);
    srv.destroy();
    cli.destroy();
  });

  it('throws for a file it cannot open, and sends nothing', async () => {
    const { srv, cli, fd } = await pair();
    expect(() => native.sendfileStart(fd, join(dir, 'missing'), 0, 10, () => {})).toThrow(/open: No such file/);
    srv.destroy();
    cli.destroy();
  });
});
