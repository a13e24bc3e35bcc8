// swtpm (TPM 2.0 emulator) driven through tpm2-tools, holding the device ECDH key the way EVE does.
// Recipe and pitfalls: docs/test-harness.md §2. No resource manager runs here, so transients are flushed
// after each step (swtpm has 3 object slots; otherwise TPM_RC 0x902).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertUncompressedPoint, EVE_ECDH_KEY_HANDLE, type Tpm, TpmError } from '../ports/tpm.js';
import { ensureQuoteKey, swtpmQuote } from './swtpm-quote.js';

const execFileAsync = promisify(execFile);
const HANDLE = `0x${EVE_ECDH_KEY_HANDLE.toString(16)}`;
const READY_TIMEOUT_MS = 10_000;
const TOOL_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

// EVE pkg/pillar/evetpm DefaultEcdhKeyTemplate: owner-hierarchy primary, ECC NIST P-256, nameAlg SHA-256,
// no scheme, sign|noDA|decrypt|sensitiveDataOrigin|userWithAuth.
const EVE_ECDH_TEMPLATE = ['-C', 'o', '-g', 'sha256', '-G', 'ecc256:null', '-a'];
const EVE_ECDH_ATTRIBUTES = 'sign|noda|decrypt|sensitivedataorigin|userwithauth';

export interface SwtpmOptions {
  /** swtpm state (NVRAM) lives here; reuse the directory to keep the persisted key across restarts. */
  stateDir: string;
}

/** Ports handed out by this process, so parallel instances never race for the same pair. */
const claimedPorts = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A free loopback port P with P+1 also free (swtpm's server and control channels). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1' }, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port === 0 || port >= 65535 || [port - 1, port, port + 1].some((p) => claimedPorts.has(p))) continue;
    if (await canBind(port + 1)) {
      claimedPorts.add(port).add(port + 1);
      return port;
    }
  }
  throw new TpmError('swtpm: found no free pair of loopback TCP ports');
}

interface SwtpmProcess {
  child: ChildProcess;
  exited: Promise<void>;
  stderr: () => string;
}

function spawnSwtpm(stateDir: string, port: number): SwtpmProcess {
  const args = ['socket', '--tpm2', '--tpmstate', `dir=${stateDir}`];
  args.push('--server', `type=tcp,port=${port},bindaddr=127.0.0.1`);
  args.push('--ctrl', `type=tcp,port=${port + 1},bindaddr=127.0.0.1`);
  args.push('--flags', 'not-need-init,startup-clear');
  const child = spawn('swtpm', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      stderr += `\n${err.message}`;
      resolve();
    });
    child.once('exit', () => resolve());
  });
  return { child, exited, stderr: () => stderr.trim() };
}

function isRunning(proc: SwtpmProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null && proc.child.pid !== undefined;
}

async function stopSwtpm(proc: SwtpmProcess): Promise<void> {
  if (isRunning(proc)) proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5_000);
  await proc.exited;
  clearTimeout(timer);
}

type Run = (cmd: string, args: string[]) => Promise<string>;

function toolRunner(port: number): Run {
  const env = { ...process.env, TPM2TOOLS_TCTI: `swtpm:host=127.0.0.1,port=${port}` };
  return async (cmd, args) => {
    try {
      const { stdout } = await execFileAsync(cmd, args, { env, timeout: TOOL_TIMEOUT_MS });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; code?: number | string; message: string };
      const detail = (e.stderr ?? '').trim() || e.message;
      throw new TpmError(`swtpm: \`${cmd} ${args.join(' ')}\` failed (exit ${e.code ?? '?'}): ${detail}`, {
        cause: err,
      });
    }
  };
}

/** Polls `tpm2_getcap properties-fixed` until swtpm answers; false when swtpm exited first (port taken). */
async function waitReady(proc: SwtpmProcess, run: Run): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isRunning(proc)) return false;
    try {
      await run('tpm2_getcap', ['properties-fixed']);
      return isRunning(proc);
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new TpmError(`swtpm did not answer within ${READY_TIMEOUT_MS} ms: ${lastError}`);
}

/** Starts swtpm on a free loopback port pair and returns a Tpm backed by it. */
export async function startSwtpm(opts: SwtpmOptions): Promise<Tpm> {
  let failures = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePortPair();
    const proc = spawnSwtpm(opts.stateDir, port);
    const run = toolRunner(port);
    try {
      if (await waitReady(proc, run)) return swtpmTpm(opts.stateDir, proc, port, run);
      failures += `\n  port ${port}: swtpm exited (code ${proc.child.exitCode}): ${proc.stderr()}`;
    } catch (err) {
      await stopSwtpm(proc);
      releasePorts(port);
      throw err;
    }
    await stopSwtpm(proc);
    releasePorts(port);
  }
  throw new TpmError(`swtpm could not be started (is the swtpm package installed?):${failures}`);
}

function releasePorts(port: number): void {
  claimedPorts.delete(port);
  claimedPorts.delete(port + 1);
}

async function persistentHandles(run: Run): Promise<number[]> {
  const out = await run('tpm2_getcap', ['handles-persistent']);
  return (out.match(/0x[0-9a-f]{8}/gi) ?? []).map((h) => Number.parseInt(h, 16));
}

function swtpmTpm(stateDir: string, proc: SwtpmProcess, port: number, run: Run): Tpm {
  // swtpm serves one client at a time and tmp file names are per call, but keep one TPM command chain at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => undefined);
    return next;
  };
  let closed = false;
  let publicPoint: Uint8Array | undefined;
  let seq = 0;
  const tmp = (name: string) => join(stateDir, `eveboot-${process.pid}-${++seq}-${name}`);

  const ensureOpen = (): void => {
    if (closed) throw new TpmError('swtpm TPM is closed');
    if (!isRunning(proc)) throw new TpmError(`swtpm (port ${port}) is no longer running: ${proc.stderr()}`);
  };

  /** Creates and persists the key unless 0x81000005 already exists, then exports its public point. */
  const ensureKey = async (): Promise<Uint8Array> => {
    if (publicPoint) return publicPoint;
    const ctx = tmp('ecdh.ctx');
    const pem = tmp('ecdh.pem');
    try {
      if (!(await persistentHandles(run)).includes(EVE_ECDH_KEY_HANDLE)) {
        await run('tpm2_createprimary', ['-Q', ...EVE_ECDH_TEMPLATE, EVE_ECDH_ATTRIBUTES, '-c', ctx]);
        await run('tpm2_evictcontrol', ['-Q', '-C', 'o', '-c', ctx, HANDLE]);
        await run('tpm2_flushcontext', ['-t']);
      }
      await run('tpm2_readpublic', ['-Q', '-c', HANDLE, '-f', 'pem', '-o', pem]);
      publicPoint = spkiPemToPoint(await readFile(pem, 'utf8'));
      return publicPoint;
    } finally {
      await Promise.all([rm(ctx, { force: true }), rm(pem, { force: true })]);
    }
  };

  const quoteTools = { run, tmp, persistent: () => persistentHandles(run) };
  return {
    kind: 'swtpm',
    ecdhPublicKey: () =>
      serial(async () => {
        ensureOpen();
        return Uint8Array.from(await ensureKey());
      }),
    ecdhZGen: (peerPoint) =>
      serial(async () => {
        ensureOpen();
        assertUncompressedPoint(peerPoint);
        await ensureKey();
        const input = tmp('zgen-in.bin');
        const output = tmp('zgen-out.bin');
        try {
          await writeFile(input, encodeEccPoint(peerPoint));
          await run('tpm2_ecdhzgen', ['-Q', '-c', HANDLE, '-u', input, '-o', output]);
          await run('tpm2_flushcontext', ['-t']);
          return decodeEccPoint(await readFile(output));
        } finally {
          await Promise.all([rm(input, { force: true }), rm(output, { force: true })]);
        }
      }),
    attestationKeyPem: () =>
      serial(async () => {
        ensureOpen();
        return ensureQuoteKey(quoteTools);
      }),
    quote: (nonce) =>
      serial(async () => {
        ensureOpen();
        return swtpmQuote(quoteTools, nonce);
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await queue;
      await stopSwtpm(proc);
      releasePorts(port);
    },
  };
}

// --- TPM2B_ECC_POINT marshalling (TPM 2.0 Part 2 §11.2.5.2): u16 size | u16 len | X | u16 len | Y, big-endian.

/** 0x04||X||Y → TPM2B_ECC_POINT for `tpm2_ecdhzgen -u` (70 bytes: 00 44 | 00 20 X | 00 20 Y). */
export function encodeEccPoint(point: Uint8Array): Uint8Array {
  assertUncompressedPoint(point);
  const out = new Uint8Array(70);
  const view = new DataView(out.buffer);
  view.setUint16(0, 68);
  view.setUint16(2, 32);
  out.set(point.subarray(1, 33), 4);
  view.setUint16(36, 32);
  out.set(point.subarray(33, 65), 38);
  return out;
}

/** TPM2B_ECC_POINT (the `-o` of tpm2_ecdhzgen) → 0x04||X||Y; shorter coordinates are left-zero-padded to 32. */
export function decodeEccPoint(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new TpmError(`swtpm: malformed TPM2B_ECC_POINT from tpm2_ecdhzgen (${why})`);
  if (bytes.length < 6) throw bad(`${bytes.length} bytes`);
  const size = view.getUint16(0);
  if (size + 2 !== bytes.length) throw bad(`size field ${size}, ${bytes.length} bytes`);
  const xLen = view.getUint16(2);
  if (xLen > 32 || 4 + xLen + 2 > bytes.length) throw bad(`x length ${xLen}`);
  const yLen = view.getUint16(4 + xLen);
  if (yLen > 32 || 6 + xLen + yLen !== bytes.length) throw bad(`y length ${yLen}`);
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(bytes.subarray(4, 4 + xLen), 1 + 32 - xLen);
  out.set(bytes.subarray(6 + xLen, 6 + xLen + yLen), 33 + 32 - yLen);
  return out;
}

/** PEM SubjectPublicKeyInfo of a P-256 key (`tpm2_readpublic -f pem`) → 0x04||X||Y. */
export function spkiPemToPoint(pem: string): Uint8Array {
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new TpmError(`swtpm: key at ${HANDLE} is not a P-256 EC key (kty ${jwk.kty}, crv ${jwk.crv})`);
  }
  const out = new Uint8Array(65);
  out[0] = 0x04;
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  out.set(x, 1 + 32 - x.length);
  out.set(y, 33 + 32 - y.length);
  return out;
}
