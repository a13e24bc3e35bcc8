// The file allocation table itself (fatgen103 §4): 12-, 16- or 28-bit entries, cluster chains, allocation.
// Reads come from the first FAT; writes go to every copy so the mirrors stay identical.
import { DiskError, malformed } from './disk-error.js';
import type { FatGeometry } from './fat-geometry.js';

export interface FatFs {
  img: Uint8Array;
  view: DataView;
  geo: FatGeometry;
}

export const FREE = 0;
const BAD: Record<number, number> = { 12: 0xff7, 16: 0xfff7, 32: 0x0ffffff7 };
const EOC: Record<number, number> = { 12: 0xfff, 16: 0xffff, 32: 0x0fffffff };

export const endOfChain = (fs: FatFs): number => EOC[fs.geo.type]!;
export const isEndOfChain = (fs: FatFs, v: number): boolean => v > BAD[fs.geo.type]!;

function fatBase(fs: FatFs, copy: number): number {
  return (fs.geo.reservedSectors + copy * fs.geo.fatSectors) * fs.geo.bytesPerSector;
}

export function getEntry(fs: FatFs, n: number): number {
  const base = fatBase(fs, 0);
  switch (fs.geo.type) {
    case 12: {
      const off = base + n + (n >> 1);
      const w = fs.view.getUint16(off, true);
      return n & 1 ? w >> 4 : w & 0xfff;
    }
    case 16:
      return fs.view.getUint16(base + n * 2, true);
    case 32:
      return fs.view.getUint32(base + n * 4, true) & 0x0fffffff;
  }
}

export function setEntry(fs: FatFs, n: number, value: number): void {
  for (let copy = 0; copy < fs.geo.numFats; copy++) {
    const base = fatBase(fs, copy);
    switch (fs.geo.type) {
      case 12: {
        const off = base + n + (n >> 1);
        const w = fs.view.getUint16(off, true);
        const next = n & 1 ? (w & 0x000f) | ((value & 0xfff) << 4) : (w & 0xf000) | (value & 0xfff);
        fs.view.setUint16(off, next, true);
        break;
      }
      case 16:
        fs.view.setUint16(base + n * 2, value & 0xffff, true);
        break;
      case 32: {
        // fatgen103 §4: the top 4 bits of a FAT32 entry are reserved and must be preserved.
        const old = fs.view.getUint32(base + n * 4, true);
        fs.view.setUint32(base + n * 4, ((old & 0xf0000000) | (value & 0x0fffffff)) >>> 0, true);
        break;
      }
    }
  }
}

const inRange = (fs: FatFs, c: number) => c >= 2 && c <= fs.geo.clusterCount + 1;

/** The clusters of the chain that starts at `start`, checked for loops, free links and out-of-range links. */
export function chainOf(fs: FatFs, start: number): number[] {
  const out: number[] = [];
  let c = start;
  while (true) {
    if (!inRange(fs, c)) throw malformed(`FAT chain from cluster ${start} reaches invalid cluster ${c}`);
    if (out.length > fs.geo.clusterCount) throw malformed(`FAT chain from cluster ${start} loops`);
    out.push(c);
    const next = getEntry(fs, c);
    if (isEndOfChain(fs, next)) return out;
    if (next === FREE || next === BAD[fs.geo.type])
      throw malformed(`FAT chain from cluster ${start} hits a free/bad cluster`);
    c = next;
  }
}

export function countFree(fs: FatFs): number {
  let n = 0;
  for (let c = 2; c <= fs.geo.clusterCount + 1; c++) if (getEntry(fs, c) === FREE) n++;
  return n;
}

/** Takes `count` free clusters (lowest first), links them into one chain ending in EOC, and returns them. */
export function allocate(fs: FatFs, count: number, what: string): number[] {
  const got: number[] = [];
  for (let c = 2; c <= fs.geo.clusterCount + 1 && got.length < count; c++) if (getEntry(fs, c) === FREE) got.push(c);
  if (got.length < count) {
    const kib = Math.ceil((count * fs.geo.clusterBytes) / 1024);
    throw new DiskError(
      'EVEBOOT_ERR_DISK_FULL',
      `FAT filesystem is full: ${what} needs ${kib} KiB, only ${got.length} of ${count} clusters free. Use a larger CONFIG image or remove files.`,
    );
  }
  for (const [i, c] of got.entries()) setEntry(fs, c, i + 1 < got.length ? got[i + 1]! : endOfChain(fs));
  return got;
}

export function freeChain(fs: FatFs, start: number): void {
  for (const c of chainOf(fs, start)) setEntry(fs, c, FREE);
}
