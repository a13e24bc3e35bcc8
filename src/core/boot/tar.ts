// ustar/GNU tar headers (POSIX.1-1988 ustar; GNU 'L' long names; pax 'x' path records), parsed from 512-byte
// blocks. The adapter reads blocks from disk and copies member data; nothing here touches files.

export const TAR_BLOCK = 512;

export type TarEntryType = 'file' | 'dir' | 'longname' | 'pax' | 'other';

export interface TarHeader {
  name: string;
  size: number;
  type: TarEntryType;
  /** Raw typeflag for messages. */
  flag: string;
}

const dec = new TextDecoder('utf-8');

function str(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return dec.decode(nul >= 0 ? s.subarray(0, nul) : s);
}

function octal(b: Uint8Array, off: number, len: number): number {
  // GNU base-256 for sizes ≥ 8 GiB: high bit of the first byte set, big-endian binary follows.
  if ((b[off]! & 0x80) !== 0) {
    let n = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[off + i]!;
    return n;
  }
  const t = str(b, off, len).trim();
  if (t === '') return 0;
  if (!/^[0-7]+$/.test(t)) throw new Error(`bad octal field "${t}"`);
  return Number.parseInt(t, 8);
}

/** undefined for an all-zero block (end of archive). Throws on a checksum mismatch (not a tar file). */
export function parseTarHeader(block: Uint8Array): TarHeader | undefined {
  if (block.length < TAR_BLOCK) throw new Error('truncated tar header');
  if (block.every((x) => x === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (octal(block, 148, 8) !== sum) throw new Error('tar header checksum mismatch (not a tar archive?)');
  const flag = String.fromCharCode(block[156]!);
  const magic = str(block, 257, 6);
  const prefix = magic.startsWith('ustar') ? str(block, 345, 155) : '';
  const base = str(block, 0, 100);
  const name = prefix ? `${prefix}/${base}` : base;
  const type: TarEntryType =
    flag === '0' || flag === '\0' || flag === '7'
      ? 'file'
      : flag === '5'
        ? 'dir'
        : flag === 'L'
          ? 'longname'
          : flag === 'x'
            ? 'pax'
            : 'other';
  return { name, size: octal(block, 124, 12), type, flag };
}

/** Padded length of a member's data. */
export function tarDataBlocks(size: number): number {
  return Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

/** The `path` record of a pax extended header, if any ("<len> path=<value>\n" records). */
export function paxPath(data: Uint8Array): string | undefined {
  const text = dec.decode(data);
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Archive member name → safe relative path, or undefined when it escapes the root (absolute, ..). */
export function safeMemberPath(name: string): string | undefined {
  const parts = name
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || parts.some((p) => p === '..')) return undefined;
  return parts.length > 0 ? parts.join('/') : undefined;
}
