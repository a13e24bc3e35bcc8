// Crafted-packet tests of the TFTP server on 127.0.0.1 with an OS-chosen port (no root, no tools).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTftpServer, type TftpEvent, type TftpServer } from '../../src/adapters/tftp-server.js';
import { ErrorCode } from '../../src/core/tftp/packet.js';
import { prereq } from '../support/prereq.js';
import { type Received, TftpProbe } from './tftp-probe.js';

const base = mkdtempSync(join(tmpdir(), 'tftp-server-test-'));
const root = join(base, 'root');
const secret = join(base, 'secret.txt');
const big = randomBytes(300_000);
const events: TftpEvent[] = [];
const probes: TftpProbe[] = [];

async function probe(): Promise<TftpProbe> {
  const p = await TftpProbe.open();
  probes.push(p);
  return p;
}

/** Resolves when an event matching `pred` has been emitted (no sleeping). */
function eventually(pred: (e: TftpEvent) => boolean): Promise<TftpEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const e = events.find(pred);
      if (e) resolve(e);
      else setImmediate(check);
    };
    check();
  });
}

beforeAll(() => {
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'big.bin'), big);
  writeFileSync(join(root, 'empty.bin'), '');
  writeFileSync(join(root, 'sub', 'inner.txt'), 'inner');
  writeFileSync(secret, 'do not serve');
  symlinkSync(secret, join(root, 'escape.txt'));
  symlinkSync(join(root, 'sub', 'inner.txt'), join(root, 'alias.txt'));
});

afterEach(() => {
  for (const p of probes.splice(0)) p.close();
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

type Io = 'native' | 'node';
const rrq = (file: string, ...options: Array<[string, string]>) => ({
  kind: 'rrq' as const,
  file,
  mode: 'octet',
  options,
});
const nativeOk = prereq('TFTP server on the native data pump', { native: 'pump' });

const SHORT_TIMERS = { initialMs: 100, minMs: 20, maxRetries: 3 };
/** Timers that never fire within a test: for exact packet sequences, which a retransmission would reorder on a
 *  busy machine (a 20 ms floor is shorter than one scheduling hiccup on 2 loaded cores). */
const NO_TIMER = { initialMs: 600_000, minMs: 600_000, maxRetries: 3 };

/** A server on 127.0.0.1 for one describe block; `io` picks the transfer I/O, `retransmit` its timers. */
function serverFor(io: Io, retransmit = SHORT_TIMERS) {
  const ctx = { server: undefined as TftpServer | undefined, port: 0, ios: new Set<string>() };
  beforeAll(async () => {
    ctx.server = createTftpServer({
      root,
      address: '127.0.0.1',
      port: 0,
      progressIntervalMs: 0,
      nativePump: io === 'native',
      retransmit,
      onEvent: (e) => events.push(e),
      log: {
        debug: (obj, msg) => {
          if (msg === 'tftp transfer io') ctx.ios.add((obj as { io: string }).io);
        },
        info() {},
        warn() {},
      },
      generate: (path, client) => {
        if (path === 'machines/boom') throw new Error('generator failed');
        if (path === 'machines/slow')
          return new Promise<Buffer>((resolve) => setTimeout(() => resolve(Buffer.from('slow')), 200));
        return path.startsWith('machines/') ? Buffer.from(`#!ipxe\necho ${path} for ${client.address}\n`) : null;
      },
    });
    ctx.port = (await ctx.server.listen()).port;
  });
  afterAll(async () => {
    await ctx.server?.close();
  });
  return ctx;
}

for (const io of ['native', 'node'] as const) {
  describe.skipIf(io === 'native' && !nativeOk.ok)(`TFTP server (${io} I/O)`, () => {
    const ctx = serverFor(io);
    let port = 0;
    beforeAll(() => {
      port = ctx.port;
    });

    describe('TFTP server: downloads', () => {
      it('answers options with an OACK from a new port and serves the file windowed', async () => {
        const c = await probe();
        c.send(
          {
            kind: 'rrq',
            file: 'big.bin',
            mode: 'octet',
            options: [
              ['blksize', '1468'],
              ['tsize', '0'],
              ['windowsize', '8'],
            ],
          },
          port,
        );
        const first = await c.next();
        expect(first.port).not.toBe(port);
        expect(first.packet).toEqual({
          kind: 'oack',
          options: [
            ['blksize', '1468'],
            ['tsize', String(big.length)],
            ['windowsize', '8'],
          ],
        });
        expect((await c.download(first, 8)).equals(big)).toBe(true);
        const done = await eventually((e) => e.client === `127.0.0.1:${c.port}` && e.stage === 'finish');
        expect(done).toMatchObject({ type: 'tftp', file: 'big.bin', bytes: big.length, total: big.length, done: true });
        expect(events.some((e) => e.client === done.client && e.stage === 'progress')).toBe(true);
      });

      it('serves 512-byte lock-step DATA without options, and an empty file as one empty block', async () => {
        const c = await probe();
        c.send({ kind: 'rrq', file: 'sub/inner.txt', mode: 'octet', options: [] }, port);
        expect((await c.download(await c.next())).toString()).toBe('inner');
        c.send({ kind: 'rrq', file: 'empty.bin', mode: 'OCTET', options: [] }, port);
        const r = await c.next();
        expect(r.packet).toMatchObject({ kind: 'data', block: 1 });
        expect(r.packet.kind === 'data' && r.packet.data.length).toBe(0);
      });

      it('serves generated content first, with the client address', async () => {
        const c = await probe();
        c.send({ kind: 'rrq', file: 'machines/52-54-00-99-00-20.ipxe', mode: 'octet', options: [] }, port);
        expect((await c.download(await c.next())).toString()).toBe(
          '#!ipxe\necho machines/52-54-00-99-00-20.ipxe for 127.0.0.1\n',
        );
      });

      it('a request for another file while the first is still being looked up supersedes it', async () => {
        const c = await probe();
        c.send(rrq('machines/slow'), port);
        c.send(rrq('sub/inner.txt'), port);
        expect((await c.download(await c.next())).toString()).toBe('inner');
        const e = await eventually((x) => x.client === `127.0.0.1:${c.port}` && x.file === 'machines/slow' && x.done);
        expect(e.error).toBe('superseded by a new request');
      });

      it('follows a symlink that stays inside the root', async () => {
        const c = await probe();
        c.send({ kind: 'rrq', file: 'alias.txt', mode: 'octet', options: [] }, port);
        expect((await c.download(await c.next())).toString()).toBe('inner');
      });

      it('OVMF: tsize probe aborted with ERROR 8, then the real download from a new port', async () => {
        const c = await probe();
        c.send(rrq('big.bin', ['tsize', '0'], ['blksize', '1468'], ['windowsize', '4']), port);
        const oack = await c.next();
        expect(oack.packet).toMatchObject({
          kind: 'oack',
          options: [
            ['tsize', String(big.length)],
            ['blksize', '1468'],
            ['windowsize', '4'],
          ],
        });
        c.send({ kind: 'error', code: ErrorCode.OptionRefused, message: 'User aborted the transfer' }, oack.port);
        const aborted = await eventually((e) => e.client === `127.0.0.1:${c.port}` && e.stage === 'abort');
        expect(aborted.error).toBe('client sent ERROR 8: User aborted the transfer');
        const real = await probe();
        real.send(rrq('big.bin', ['blksize', '1468'], ['windowsize', '4']), port);
        const first = await real.next();
        expect(first.packet).toEqual({
          kind: 'oack',
          options: [
            ['blksize', '1468'],
            ['windowsize', '4'],
          ],
        });
        expect((await real.download(first, 4)).equals(big)).toBe(true);
      });

      it('retransmits an unacknowledged OACK, and a duplicate RRQ does not start a second transfer', async () => {
        const c = await probe();
        const rrq = {
          kind: 'rrq' as const,
          file: 'big.bin',
          mode: 'octet',
          options: [['tsize', '0']] as Array<[string, string]>,
        };
        c.send(rrq, port);
        const a = await c.next();
        c.send(rrq, port); // client retransmits its RRQ
        const b = await c.next(); // the timer's OACK, from the same TID
        expect(b.packet).toEqual(a.packet);
        expect(b.port).toBe(a.port);
        expect((await c.download(b)).equals(big)).toBe(true);
      });

      it('answers a packet from a foreign TID with ERROR 5 and keeps the transfer going', async () => {
        const c = await probe();
        const intruder = await probe();
        c.send({ kind: 'rrq', file: 'big.bin', mode: 'octet', options: [['blksize', '1468']] }, port);
        const first = await c.next();
        intruder.send({ kind: 'ack', block: 0 }, first.port);
        expect((await intruder.next()).packet).toMatchObject({ kind: 'error', code: ErrorCode.UnknownTid });
        expect((await c.download(first)).equals(big)).toBe(true);
      });

      it('gives up after bounded retries when the client vanishes', async () => {
        const c = await probe();
        c.send({ kind: 'rrq', file: 'big.bin', mode: 'octet', options: [] }, port);
        const e = await eventually((x) => x.client === `127.0.0.1:${c.port}` && x.stage === 'abort');
        expect(e.error).toBe('no ACK after 4 attempts');
      });

      it('gives up the same way when the client closes its port (ICMP port unreachable)', async () => {
        const c = await TftpProbe.open(); // closed by the test itself
        c.send({ kind: 'rrq', file: 'big.bin', mode: 'octet', options: [] }, port);
        await c.next();
        const client = `127.0.0.1:${c.port}`;
        c.close();
        const e = await eventually((x) => x.client === client && x.stage === 'abort');
        expect(e.error).toBe('no ACK after 4 attempts');
      });

      it('a file that shrinks under a transfer ends it with ERROR "read error", not a crash', async () => {
        const name = `shrinks-${io}.bin`;
        writeFileSync(join(root, name), big);
        const c = await probe();
        c.send({ kind: 'rrq', file: name, mode: 'octet', options: [['blksize', '1468']] }, port);
        const oack = await c.next();
        truncateSync(join(root, name), 1000);
        c.send({ kind: 'ack', block: 0 }, oack.port);
        let last: Received | undefined;
        for (;;) {
          last = await c.next();
          if (last.packet.kind !== 'data') break;
          c.send({ kind: 'ack', block: last.packet.block }, oack.port);
        }
        expect(last.packet).toEqual({ kind: 'error', code: ErrorCode.NotDefined, message: 'read error' });
        const e = await eventually((x) => x.client === `127.0.0.1:${c.port}` && x.stage === 'abort');
        expect(e.error).toMatch(/^read error: /);
      });
    });

    describe('TFTP server: exact sequences (no retransmission timer can interleave)', () => {
      const exact = serverFor(io, NO_TIMER);
      it('a gap ACK restarts the window after it; a duplicate ACK sends nothing (RFC 7440, RFC 1123)', async () => {
        const c = await probe();
        c.send(rrq('big.bin', ['windowsize', '4']), exact.port);
        const oack = await c.next();
        c.send({ kind: 'ack', block: 0 }, oack.port);
        const blocks = async (n: number) => {
          const got: number[] = [];
          for (let i = 0; i < n; i++) {
            const r = await c.next();
            if (r.packet.kind === 'data') got.push(r.packet.block);
          }
          return got;
        };
        expect(await blocks(4)).toEqual([1, 2, 3, 4]);
        c.send({ kind: 'ack', block: 2 }, oack.port); // 3 and 4 "lost"
        expect(await blocks(4)).toEqual([3, 4, 5, 6]);
        c.send({ kind: 'ack', block: 2 }, oack.port); // stale duplicate: no burst in answer to it
        c.send({ kind: 'ack', block: 6 }, oack.port);
        expect(await blocks(4)).toEqual([7, 8, 9, 10]);
        c.send({ kind: 'error', code: ErrorCode.NotDefined, message: 'enough' }, oack.port);
        const e = await eventually((x) => x.client === `127.0.0.1:${c.port}` && x.stage === 'abort');
        expect(e.error).toBe('client sent ERROR 0: enough');
        expect(e.bytes).toBe(6 * 512);
      });
    });

    describe('TFTP server: refusals', () => {
      const cases: Array<{ name: string; file: string; mode?: string; want: ErrorCode }> = [
        { name: 'a missing file', file: 'nope.bin', want: ErrorCode.FileNotFound },
        { name: 'a directory', file: 'sub', want: ErrorCode.FileNotFound },
        { name: 'dot-dot traversal', file: '../secret.txt', want: ErrorCode.AccessViolation },
        { name: 'nested traversal', file: 'sub/../../secret.txt', want: ErrorCode.AccessViolation },
        { name: 'a host path (a leading / is the boot root)', file: '/etc/passwd', want: ErrorCode.FileNotFound },
        { name: 'traversal behind a leading /', file: '/../secret.txt', want: ErrorCode.AccessViolation },
        { name: 'backslashes', file: '..\\secret.txt', want: ErrorCode.AccessViolation },
        { name: 'percent-encoded traversal', file: '%2e%2e/secret.txt', want: ErrorCode.AccessViolation },
        { name: 'a symlink that escapes the root', file: 'escape.txt', want: ErrorCode.AccessViolation },
        { name: 'netascii mode', file: 'big.bin', mode: 'netascii', want: ErrorCode.IllegalOperation },
      ];
      for (const c of cases) {
        it(`refuses ${c.name} with ERROR ${c.want}`, async () => {
          const p = await probe();
          p.send({ kind: 'rrq', file: c.file, mode: c.mode ?? 'octet', options: [] }, port);
          expect((await p.next()).packet).toMatchObject({ kind: 'error', code: c.want });
          expect(events.some((e) => e.client === `127.0.0.1:${p.port}` && e.stage === 'refuse' && e.done)).toBe(true);
        });
      }

      const raw: Array<[string, string]> = [
        ['a name with an embedded NUL', 'big\0.bin\0octet\0'],
        ['an unknown mode', 'big.bin\0binary\0'],
        ['an option without its value', 'big.bin\0octet\0tsize\0'],
      ];
      for (const [name, body] of raw) {
        it(`answers ERROR 4 to ${name}, not silence`, async () => {
          const p = await probe();
          p.send(
            Uint8Array.from(`\0\x01${body}`, (c) => c.charCodeAt(0)),
            port,
          );
          expect((await p.next()).packet).toMatchObject({ kind: 'error', code: ErrorCode.IllegalOperation });
        });
      }

      it('a refused request does not block the next one from the same port', async () => {
        const p = await probe();
        p.send({ kind: 'rrq', file: 'nope.bin', mode: 'octet', options: [] }, port);
        expect((await p.next()).packet).toMatchObject({ kind: 'error', code: ErrorCode.FileNotFound });
        p.send({ kind: 'rrq', file: 'sub/inner.txt', mode: 'octet', options: [] }, port);
        expect((await p.download(await p.next())).toString()).toBe('inner');
      });

      const answered: Array<[string, 'rrq' | 'wrq', string, ErrorCode, string]> = [
        ['answers ERROR 0 when the generated-content callback throws', 'rrq', 'machines/boom', 0, 'internal error'],
        ['refuses a WRQ: read-only', 'wrq', 'upload.bin', ErrorCode.AccessViolation, 'read-only server'],
      ];
      for (const [name, kind, file, code, message] of answered) {
        it(name, async () => {
          const p = await probe();
          p.send({ kind, file, mode: 'octet', options: [] }, port);
          expect((await p.next()).packet).toEqual({ kind: 'error', code, message });
        });
      }

      it('ignores garbage on the request port and keeps serving', async () => {
        const p = await probe();
        const junk = [
          new Uint8Array(0),
          Uint8Array.from([0]),
          Uint8Array.from([0, 1, 65]),
          Uint8Array.from([0, 9, 0, 0]),
          Uint8Array.from([0, 4, 0, 1]),
          Uint8Array.from([0, 1, 0x66, 0]),
          randomBytes(1400),
        ];
        for (const j of junk) p.send(j, port);
        for (let i = 0; i < 200; i++) p.send(randomBytes(i % 40), port);
        p.send({ kind: 'rrq', file: 'sub/inner.txt', mode: 'octet', options: [] }, port);
        const first = await p.next();
        expect(first.packet).toMatchObject({ kind: 'data', block: 1 });
        expect((await p.download(first)).toString()).toBe('inner');
      });
    });
    // Last in the block: every transfer above ran on the I/O it names (no silent fallback to node:dgram).
    it(`ran every transfer on the ${io} I/O`, () => expect([...ctx.ios]).toEqual([io]));
  });
}

describe('TFTP server: close', () => {
  it('aborts running transfers on close and tells the client', async () => {
    const s = createTftpServer({ root, address: '127.0.0.1', port: 0 });
    const sport = (await s.listen()).port;
    const c = await probe();
    c.send({ kind: 'rrq', file: 'big.bin', mode: 'octet', options: [] }, sport);
    await c.next();
    expect(s.activeTransfers()).toBe(1);
    await s.close();
    expect(s.activeTransfers()).toBe(0);
    expect((await c.next()).packet).toMatchObject({ kind: 'error', code: ErrorCode.NotDefined });
  });
});

describe('TFTP server: where transfers run', () => {
  const serve = async (workers: number | undefined) => {
    const lines: Array<{ obj: object; msg?: string }> = [];
    const info = (obj: object, msg?: string) => lines.push({ obj, msg });
    const s = createTftpServer({ root, address: '127.0.0.1', port: 0, workers, log: { debug() {}, info, warn: info } });
    const sport = (await s.listen()).port;
    const c = await probe();
    c.send({ kind: 'rrq', file: 'big.bin', mode: 'octet', options: [['windowsize', '4']] }, sport);
    const got = await c.download(await c.next(), 4);
    await s.close();
    return { got, listening: lines.find((l) => l.msg === 'tftp listening')?.obj };
  };

  it('runs transfers in worker threads by default, loaded from src/ through tsx', async () => {
    const r = await serve(undefined);
    expect(r.got.equals(big)).toBe(true);
    expect(r.listening).toMatchObject({ workers: expect.any(Number) });
    expect((r.listening as { workers: number }).workers).toBeGreaterThan(0);
  });

  it('runs transfers on the request thread with workers: 0', async () => {
    const r = await serve(0);
    expect(r.got.equals(big)).toBe(true);
    expect(r.listening).toMatchObject({ workers: 0 });
  });
});
