// FAT directories: a fixed root region (FAT12/16) or a cluster chain (subdirectories, FAT32 root). Reading groups
// LFN slots with their short entry; writing finds a run of free slots, growing a chained directory when needed.
import { DiskError, malformed } from './disk-error.js';
import { clusterOffset } from './fat-geometry.js';
import {
  ATTR_DIRECTORY,
  ATTR_LFN,
  ATTR_VOLUME_ID,
  dosDateTime,
  lfnChecksum,
  lfnPart,
  lfnSlots,
  makeShortName,
  shortNameText,
} from './fat-name.js';
import { allocate, chainOf, type FatFs, setEntry } from './fat-table.js';

export type DirRef = { kind: 'fixed' } | { kind: 'chain'; cluster: number };

export interface DirEntry {
  name: string;
  shortName: string;
  attr: number;
  cluster: number;
  size: number;
  /** Byte offsets of every slot the entry uses (LFN slots, then the short entry). */
  slots: number[];
}

const FREE_SLOT = 0xe5;
const END_SLOT = 0x00;

export const rootDir = (fs: FatFs): DirRef =>
  fs.geo.type === 32 ? { kind: 'chain', cluster: fs.geo.rootCluster } : { kind: 'fixed' };

export const isDirectory = (e: DirEntry): boolean => (e.attr & ATTR_DIRECTORY) !== 0;

function slotOffsets(fs: FatFs, dir: DirRef): number[] {
  const out: number[] = [];
  if (dir.kind === 'fixed') {
    const base = fs.geo.rootDirSector * fs.geo.bytesPerSector;
    for (let i = 0; i < fs.geo.rootEntries; i++) out.push(base + i * 32);
    return out;
  }
  for (const c of chainOf(fs, dir.cluster)) {
    const base = clusterOffset(fs.geo, c);
    for (let i = 0; i < fs.geo.clusterBytes / 32; i++) out.push(base + i * 32);
  }
  return out;
}

export function listDir(fs: FatFs, dir: DirRef): { entries: DirEntry[]; label?: string } {
  const { img, view } = fs;
  const entries: DirEntry[] = [];
  let label: string | undefined;
  let lfn: { parts: string[]; checksum: number; next: number; slots: number[] } | undefined;
  for (const off of slotOffsets(fs, dir)) {
    const first = img[off]!;
    if (first === END_SLOT) break;
    const attr = img[off + 11]!;
    if (first === FREE_SLOT) {
      lfn = undefined;
    } else if ((attr & 0x3f) === ATTR_LFN) {
      const ord = first & 0x1f;
      if (first & 0x40) lfn = { parts: [], checksum: img[off + 13]!, next: ord, slots: [] };
      if (lfn && ord === lfn.next && ord > 0 && img[off + 13] === lfn.checksum) {
        lfn.parts[ord - 1] = lfnPart(img.subarray(off, off + 32));
        lfn.next = ord - 1;
        lfn.slots.push(off);
      } else lfn = undefined; // orphaned or out-of-order LFN slot: ignore it, as fatgen103 §7 allows
    } else if (attr & ATTR_VOLUME_ID) {
      label = shortNameText(img.subarray(off, off + 11)); // only the root's label counts (fatgen103 §6)
      lfn = undefined;
    } else {
      const raw = img.subarray(off, off + 11);
      const shortName = shortNameText(raw, img[off + 12]);
      const long = lfn && lfn.next === 0 && lfn.checksum === lfnChecksum(raw) ? lfn : undefined;
      const hi = fs.geo.type === 32 ? view.getUint16(off + 20, true) : 0;
      const cluster = (hi << 16) | view.getUint16(off + 26, true);
      if (cluster !== 0 && (cluster < 2 || cluster > fs.geo.clusterCount + 1))
        throw malformed(`directory entry "${shortName}" points at invalid cluster ${cluster}`);
      if (shortName !== '.' && shortName !== '..') {
        const name = long ? long.parts.join('') : shortName;
        const slots = long ? [...long.slots, off] : [off];
        entries.push({ name, shortName, attr, cluster, size: view.getUint32(off + 28, true), slots });
      }
      lfn = undefined;
    }
  }
  return { entries, label };
}

export function findEntry(fs: FatFs, dir: DirRef, name: string): DirEntry | undefined {
  const want = name.toUpperCase(); // FAT lookups are case-insensitive on both the long and the short name
  return listDir(fs, dir).entries.find((e) => e.name.toUpperCase() === want || e.shortName.toUpperCase() === want);
}

export function removeEntry(fs: FatFs, e: DirEntry): void {
  for (const off of e.slots) fs.img[off] = FREE_SLOT;
}

export interface NewEntry {
  name: string;
  attr: number;
  cluster: number;
  size: number;
  time: Date;
}

export function shortEntry(raw: Uint8Array, e: Omit<NewEntry, 'name'>): Uint8Array {
  const s = new Uint8Array(32);
  const v = new DataView(s.buffer);
  const { date, time } = dosDateTime(e.time);
  s.set(raw, 0);
  s[11] = e.attr;
  v.setUint16(14, time, true); // creation
  v.setUint16(16, date, true);
  v.setUint16(18, date, true); // last access
  v.setUint16(20, e.cluster >>> 16, true);
  v.setUint16(22, time, true); // last write
  v.setUint16(24, date, true);
  v.setUint16(26, e.cluster & 0xffff, true);
  v.setUint32(28, e.size, true);
  return s;
}

/** Adds an entry, with LFN slots when its name is not plain upper-case 8.3. */
export function addEntry(fs: FatFs, dir: DirRef, e: NewEntry): void {
  const taken = new Set<string>();
  for (const off of slotOffsets(fs, dir)) {
    if (fs.img[off] === END_SLOT) break;
    if (fs.img[off] !== FREE_SLOT && (fs.img[off + 11]! & 0x3f) !== ATTR_LFN)
      taken.add(String.fromCharCode(...fs.img.subarray(off, off + 11)));
  }
  const { raw, needsLfn } = makeShortName(e.name, taken);
  const slots = [...(needsLfn ? lfnSlots(e.name, lfnChecksum(raw)) : []), shortEntry(raw, e)];
  for (;;) {
    const offs = slotOffsets(fs, dir);
    const at = freeRun(fs, offs, slots.length);
    if (at !== undefined) {
      for (const [i, s] of slots.entries()) fs.img.set(s, offs[at + i]!);
      return;
    }
    if (dir.kind === 'fixed')
      throw new DiskError('EVEBOOT_ERR_DISK_FULL', `root directory is full (${fs.geo.rootEntries} entries)`);
    growDir(fs, dir.cluster);
  }
}

/** Index of the first run of `n` free slots. Slots after the end marker are free; the marker moves past the run. */
function freeRun(fs: FatFs, offs: number[], n: number): number | undefined {
  let run = 0;
  for (let i = 0; i < offs.length; i++) {
    const first = fs.img[offs[i]!];
    if (first === END_SLOT) {
      const start = i - run;
      const after = start + n;
      if (after > offs.length) return undefined;
      if (after < offs.length) fs.img.fill(0, offs[after]!, offs[after]! + 32);
      return start;
    }
    run = first === FREE_SLOT ? run + 1 : 0;
    if (run === n) return i - n + 1;
  }
  return undefined;
}

function growDir(fs: FatFs, first: number): void {
  const chain = chainOf(fs, first);
  const [c] = allocate(fs, 1, 'a directory');
  const off = clusterOffset(fs.geo, c!);
  fs.img.fill(0, off, off + fs.geo.clusterBytes);
  setEntry(fs, chain[chain.length - 1]!, c!);
}
