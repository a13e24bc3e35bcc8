// ISO 9660 (ECMA-119) volume descriptors and directory records, read through a caller-supplied `readAt`, so the
// core never touches a file: the adapter reads from disk, tests from a buffer. Only what finding a file's extent
// needs: the Primary Volume Descriptor, a Joliet Supplementary Volume Descriptor, and directory records.

/** Reads `length` bytes at byte `offset`; returns fewer (possibly 0) at the end of the input. */
export type ReadAt = (offset: number, length: number) => Uint8Array;

export const SECTOR = 2048; // ECMA-119 §6.1.2: logical sectors are 2048 bytes on every medium we meet
const FIRST_DESCRIPTOR = 16; // ECMA-119 §6.2.1: sectors 0-15 are the System Area
const MAX_DESCRIPTORS = 64;

/** ECMA-119 §8.1.1 volume descriptor types. */
export enum DescriptorType {
  Primary = 1,
  Supplementary = 2, // Joliet is an SVD with a UCS-2 escape sequence (Joliet spec §3)
  Terminator = 255,
}

export interface DirRecord {
  /** File identifier as recorded (d-characters + ";1", or UCS-2 in a Joliet tree). */
  rawName: Uint8Array;
  extent: number;
  size: number;
  /** ECMA-119 §9.1.6 file flags. */
  directory: boolean;
  /** Bit 7: more records of the same file follow (a multi-extent file). */
  multiExtent: boolean;
  /** Interleaved file (file unit size ≠ 0, §9.1.7): not one contiguous run of bytes. */
  interleaved: boolean;
  /** System Use area (SUSP / Rock Ridge entries). */
  systemUse: Uint8Array;
}

export interface Volume {
  blockSize: number;
  /** Volume space size in logical blocks (§8.4.8). */
  blocks: number;
  root: DirRecord;
  /** Root of the Joliet tree, when the image has one. */
  jolietRoot?: DirRecord;
}

export class IsoFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IsoFormatError';
  }
}

const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32le = (b: Uint8Array, at: number) =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

function readExactly(read: ReadAt, offset: number, length: number, what: string): Uint8Array {
  const b = read(offset, length);
  if (b.length < length) throw new IsoFormatError(`truncated: ${what} at byte ${offset} is cut off`);
  return b;
}

/** One directory record at `at` in `b` (§9.1); undefined for the zero padding at the end of a sector. */
export function parseDirRecord(b: Uint8Array, at: number): DirRecord | undefined {
  const len = b[at] ?? 0;
  if (len === 0) return undefined;
  if (len < 34 || at + len > b.length)
    throw new IsoFormatError(`directory record of ${len} bytes at ${at} is malformed`);
  const nameLen = b[at + 32]!;
  if (33 + nameLen > len) throw new IsoFormatError(`directory record at ${at}: name runs past the record`);
  const flags = b[at + 25]!;
  const suStart = at + 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0); // §9.1.12: pad byte after an even-length name
  return {
    rawName: b.subarray(at + 33, at + 33 + nameLen),
    extent: u32le(b, at + 2),
    size: u32le(b, at + 10),
    directory: (flags & 0x02) !== 0,
    multiExtent: (flags & 0x80) !== 0,
    interleaved: b[at + 26] !== 0,
    systemUse: b.subarray(Math.min(suStart, at + len), at + len),
  };
}

const JOLIET_ESCAPES = ['%/@', '%/C', '%/E']; // Joliet spec §3.1: UCS-2 levels 1-3

export function readVolume(read: ReadAt): Volume {
  let primary: Uint8Array | undefined;
  let joliet: Uint8Array | undefined;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const d = readExactly(read, (FIRST_DESCRIPTOR + i) * SECTOR, SECTOR, 'volume descriptor');
    if (String.fromCharCode(...d.subarray(1, 6)) !== 'CD001') {
      throw new IsoFormatError(`not an ISO 9660 image: no CD001 at sector ${FIRST_DESCRIPTOR + i}`);
    }
    if (d[0] === DescriptorType.Terminator) break;
    if (d[0] === DescriptorType.Primary) primary ??= d;
    const escapes = String.fromCharCode(...d.subarray(88, 91));
    if (d[0] === DescriptorType.Supplementary && JOLIET_ESCAPES.includes(escapes)) joliet ??= d;
  }
  if (!primary) throw new IsoFormatError('not an ISO 9660 image: no Primary Volume Descriptor');
  const blockSize = u16le(primary, 128); // §8.4.12, both-byte order: the little-endian half
  if (blockSize !== SECTOR) throw new IsoFormatError(`logical block size ${blockSize}: only 2048 is supported`);
  const root = parseDirRecord(primary, 156); // §8.4.18: the root directory record, 34 bytes
  if (!root?.directory) throw new IsoFormatError('the Primary Volume Descriptor has no root directory record');
  const jolietRoot = joliet ? parseDirRecord(joliet, 156) : undefined;
  return { blockSize, blocks: u32le(primary, 80), root, jolietRoot: jolietRoot?.directory ? jolietRoot : undefined };
}

const MAX_DIR_BYTES = 16 << 20;

/** Every record of a directory extent, "." and ".." included. Records never cross a sector (§6.8.1.1). */
export function readDirectory(read: ReadAt, dir: DirRecord): DirRecord[] {
  if (dir.size > MAX_DIR_BYTES) throw new IsoFormatError(`directory of ${dir.size} bytes is implausibly large`);
  const b = readExactly(read, dir.extent * SECTOR, dir.size, 'directory');
  const out: DirRecord[] = [];
  for (let sector = 0; sector < b.length; sector += SECTOR) {
    const s = b.subarray(sector, Math.min(sector + SECTOR, b.length));
    for (let at = 0; at < s.length; ) {
      const r = parseDirRecord(s, at);
      if (!r) break; // zero padding: the rest of this sector is empty
      out.push(r);
      at += s[at]!;
    }
  }
  return out;
}
