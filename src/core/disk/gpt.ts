// GPT parsing (UEFI 2.10 §5.2–5.3): protective/hybrid MBR at LBA 0, primary header at LBA 1, entry array after it.
// The input is the start of the disk; it must cover the entry array (34 sectors for the usual 128 × 128-byte array).
import { crc32 } from './crc32.js';
import { malformed } from './disk-error.js';
import { decodeGuid } from './guid.js';

export interface GptPartition {
  /** 1-based slot number, as sgdisk and Linux (sdX<N>) count. */
  number: number;
  typeGuid: string;
  uniqueGuid: string;
  firstLba: number;
  lastLba: number;
  attributes: bigint;
  name: string;
}

export interface Gpt {
  sectorSize: number;
  /** 'protective' when the only MBR entry is 0xEE; EVE's make-raw writes a hybrid MBR (sgdisk -h1). */
  mbr: 'protective' | 'hybrid';
  diskGuid: string;
  currentLba: number;
  backupLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
  partitions: GptPartition[];
}

const SIGNATURE = 'EFI PART';

function u64(v: DataView, off: number, what: string): number {
  const n = v.getBigUint64(off, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`GPT ${what} ${n} is out of range`);
  return Number(n);
}

function checkMbr(disk: Uint8Array): Gpt['mbr'] {
  if (disk[510] !== 0x55 || disk[511] !== 0xaa)
    throw malformed('no MBR boot signature (0x55AA) at LBA 0: not a GPT disk');
  const types = [0, 1, 2, 3].map((i) => disk[446 + i * 16 + 4]!);
  // UEFI §5.2.3: a protective MBR has one 0xEE entry. EVE's adjust_protective_mbr moves 0xEE to slot 2 and puts a
  // bootable FAT entry first (hybrid), so accept 0xEE in any slot.
  if (!types.includes(0xee)) throw malformed('MBR has no 0xEE (GPT protective) entry: not a GPT disk');
  return types.filter((t) => t !== 0).length === 1 ? 'protective' : 'hybrid';
}

function headerAt(disk: Uint8Array, sectorSize: number): DataView | undefined {
  if (disk.length < sectorSize * 2) return undefined;
  const sig = String.fromCharCode(...disk.subarray(sectorSize, sectorSize + 8));
  return sig === SIGNATURE ? new DataView(disk.buffer, disk.byteOffset + sectorSize, sectorSize) : undefined;
}

function utf16Name(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    const c = b[i]! | (b[i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Parses and CRC-checks the primary GPT. Tries 512-byte sectors, then 4096 (4Kn disks), unless told. */
export function parseGpt(disk: Uint8Array, opts: { sectorSize?: number } = {}): Gpt {
  if (disk.length < 1024) throw malformed(`image is ${disk.length} bytes: too short to hold a GPT`);
  const mbr = checkMbr(disk);
  const sizes = opts.sectorSize ? [opts.sectorSize] : [512, 4096];
  const sectorSize = sizes.find((s) => headerAt(disk, s));
  if (sectorSize === undefined) throw malformed('no "EFI PART" GPT header at LBA 1');
  const h = headerAt(disk, sectorSize)!;
  const headerSize = h.getUint32(12, true);
  if (headerSize < 92 || headerSize > sectorSize) throw malformed(`GPT header size ${headerSize} is invalid`);
  const hdr = disk.slice(sectorSize, sectorSize + headerSize);
  new DataView(hdr.buffer).setUint32(16, 0, true);
  if (crc32(hdr) !== h.getUint32(16, true)) throw malformed('GPT header CRC32 mismatch: the primary header is corrupt');
  const currentLba = u64(h, 24, 'current LBA');
  if (currentLba !== 1) throw malformed(`GPT primary header says it lives at LBA ${currentLba}, not 1`);
  const entriesLba = u64(h, 72, 'entry array LBA');
  const entryCount = h.getUint32(80, true);
  const entrySize = h.getUint32(84, true);
  if (entrySize < 128 || entrySize % 128 !== 0 || entryCount > 65536)
    throw malformed(`GPT entry array ${entryCount} × ${entrySize} bytes is invalid`);
  const start = entriesLba * sectorSize;
  const end = start + entryCount * entrySize;
  if (end > disk.length)
    throw malformed(`GPT entry array ends at byte ${end} but only ${disk.length} bytes were given`);
  const entries = disk.subarray(start, end);
  if (crc32(entries) !== h.getUint32(88, true)) throw malformed('GPT partition entry array CRC32 mismatch');
  const partitions: GptPartition[] = [];
  for (let i = 0; i < entryCount; i++) {
    const e = entries.subarray(i * entrySize, (i + 1) * entrySize);
    if (e.subarray(0, 16).every((x) => x === 0)) continue; // unused entry (type GUID all zero)
    const v = new DataView(e.buffer, e.byteOffset, e.length);
    const p: GptPartition = {
      number: i + 1,
      typeGuid: decodeGuid(e, 0),
      uniqueGuid: decodeGuid(e, 16),
      firstLba: u64(v, 32, 'first LBA'),
      lastLba: u64(v, 40, 'last LBA'),
      attributes: v.getBigUint64(48, true),
      name: utf16Name(e.subarray(56, 128)),
    };
    if (p.lastLba < p.firstLba) throw malformed(`GPT partition ${p.number} ends (${p.lastLba}) before it starts`);
    partitions.push(p);
  }
  return {
    sectorSize,
    mbr,
    diskGuid: decodeGuid(disk, sectorSize + 56),
    currentLba,
    backupLba: u64(h, 32, 'backup LBA'),
    firstUsableLba: u64(h, 40, 'first usable LBA'),
    lastUsableLba: u64(h, 48, 'last usable LBA'),
    entriesLba,
    entryCount,
    entrySize,
    partitions,
  };
}

/** Bytes [start, end) of a partition on the disk. */
export function partitionRange(gpt: Gpt, p: GptPartition): { start: number; end: number } {
  return { start: p.firstLba * gpt.sectorSize, end: (p.lastLba + 1) * gpt.sectorSize };
}

/**
 * Byte ranges holding the partition table: LBA 0 through the primary entry array, and the backup entry array plus
 * backup header at the end of the disk (UEFI §5.3.1: the backup array sits just before the backup header).
 */
export function gptTableRanges(gpt: Gpt): { start: number; end: number }[] {
  const entrySectors = Math.ceil((gpt.entryCount * gpt.entrySize) / gpt.sectorSize);
  return [
    { start: 0, end: (gpt.entriesLba + entrySectors) * gpt.sectorSize },
    { start: (gpt.backupLba - entrySectors) * gpt.sectorSize, end: (gpt.backupLba + 1) * gpt.sectorSize },
  ];
}
