// Where TFTP bytes come from: a generated-content callback first (per-machine scripts), then files
// under the boot root. Files are read through one fd per transfer in ~64 KiB chunks, so a 50 MiB
// image costs a few hundred read(2) calls and no whole-file buffer.
import { constants, readSync } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

export interface TftpClient {
  address: string;
  port: number;
}

/** Returns the bytes to serve for `path` (already confined, e.g. 'machines/ab.ipxe'), or null to fall through to the root. */
export type GenerateFile = (path: string, client: TftpClient) => Uint8Array | null | Promise<Uint8Array | null>;

export interface Source {
  readonly size: number;
  /** Bytes at [offset, offset+length); the returned view must not be modified. Throws on I/O errors. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export type Lookup = { kind: 'found'; source: Source } | { kind: 'missing' } | { kind: 'refuse'; reason: string };

const chunkBytes = 64 * 1024;

function bufferSource(bytes: Uint8Array): Source {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length), close() {} };
}

function fileSource(handle: FileHandle, size: number): Source {
  let chunk = new Uint8Array(0);
  let chunkAt = 0;
  return {
    size,
    read(offset, length) {
      if (offset < chunkAt || offset + length > chunkAt + chunk.length) {
        // A fresh buffer per chunk: earlier views may still sit in the socket's send queue.
        const want = Math.min(Math.max(length, chunkBytes), size - offset);
        const next = Buffer.allocUnsafe(want);
        const got = readSync(handle.fd, next, 0, want, offset);
        if (got < Math.min(length, want)) throw new Error(`short read at ${offset}: file changed while serving`);
        chunk = next.subarray(0, got);
        chunkAt = offset;
      }
      return chunk.subarray(offset - chunkAt, offset - chunkAt + length);
    },
    close() {
      handle.close().catch(() => {});
    },
  };
}

/** Resolves the real root once; lookups compare against it to catch symlinks that escape. */
export async function resolveRoot(root: string): Promise<string> {
  return realpath(root);
}

export async function openSource(
  realRoot: string,
  path: string,
  client: TftpClient,
  generate?: GenerateFile,
): Promise<Lookup> {
  const generated = generate ? await generate(path, client) : null;
  if (generated) return { kind: 'found', source: bufferSource(generated) };
  let real: string;
  try {
    real = await realpath(join(realRoot, path));
  } catch {
    return { kind: 'missing' };
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep))
    return { kind: 'refuse', reason: 'path escapes the boot root' };
  let handle: FileHandle | undefined;
  try {
    // O_NONBLOCK: a FIFO planted in the root must not hang the lookup.
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      return { kind: 'missing' };
    }
    return { kind: 'found', source: fileSource(handle, st.size) };
  } catch {
    await handle?.close().catch(() => {});
    return { kind: 'missing' };
  }
}
