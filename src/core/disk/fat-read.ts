// Reading a FAT12/16/32 filesystem held in memory: list every file, read one file by path.
import { DiskError, malformed } from './disk-error.js';
import { type DirEntry, type DirRef, findEntry, isDirectory, listDir, rootDir } from './fat-dir.js';
import { clusterOffset, type FatType, parseBootSector } from './fat-geometry.js';
import { chainOf, countFree, type FatFs } from './fat-table.js';

export interface FatFileInfo {
  /** Path from the root with "/" separators and the long names, e.g. "GlobalConfig/global.json". */
  path: string;
  size: number;
  directory: boolean;
  shortName: string;
}

export interface FatListing {
  type: FatType;
  /** Volume label from the root directory (what mtools and Windows show), else from the boot sector. */
  label: string;
  clusterBytes: number;
  totalClusters: number;
  freeClusters: number;
  files: FatFileInfo[];
}

const MAX_DEPTH = 32;

export function openFs(img: Uint8Array): FatFs {
  return { img, view: new DataView(img.buffer, img.byteOffset, img.byteLength), geo: parseBootSector(img) };
}

export function splitPath(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) throw new DiskError('EVEBOOT_ERR_DISK_NOT_FOUND', `"${path}" names no file`);
  return parts;
}

export const dirOf = (fs: FatFs, e: DirEntry): DirRef =>
  e.cluster === 0 ? rootDir(fs) : { kind: 'chain', cluster: e.cluster };

export function readFat(img: Uint8Array): FatListing {
  const fs = openFs(img);
  const files: FatFileInfo[] = [];
  const seen = new Set<number>();
  const walk = (dir: DirRef, prefix: string, depth: number) => {
    if (depth > MAX_DEPTH) throw malformed(`directories nest deeper than ${MAX_DEPTH} levels (a loop?)`);
    for (const e of listDir(fs, dir).entries) {
      const path = prefix + e.name;
      const directory = isDirectory(e);
      files.push({ path, size: directory ? 0 : e.size, directory, shortName: e.shortName });
      if (!directory) continue;
      if (e.cluster === 0 || seen.has(e.cluster)) throw malformed(`directory "${path}" loops back on itself`);
      seen.add(e.cluster);
      walk(dirOf(fs, e), `${path}/`, depth + 1);
    }
  };
  const root = listDir(fs, rootDir(fs));
  walk(rootDir(fs), '', 0);
  return {
    type: fs.geo.type,
    label: root.label ?? fs.geo.bpbLabel,
    clusterBytes: fs.geo.clusterBytes,
    totalClusters: fs.geo.clusterCount,
    freeClusters: countFree(fs),
    files,
  };
}

export function lookup(fs: FatFs, path: string): DirEntry | undefined {
  const parts = splitPath(path);
  let dir = rootDir(fs);
  let found: DirEntry | undefined;
  for (const [i, part] of parts.entries()) {
    found = findEntry(fs, dir, part);
    if (!found) return undefined;
    if (i < parts.length - 1) {
      if (!isDirectory(found)) return undefined;
      dir = dirOf(fs, found);
    }
  }
  return found;
}

export function fileData(fs: FatFs, e: DirEntry): Uint8Array {
  const out = new Uint8Array(e.size);
  if (e.size === 0) return out;
  if (e.cluster === 0) throw malformed(`"${e.name}" has ${e.size} bytes but no clusters`);
  const chain = chainOf(fs, e.cluster);
  const per = fs.geo.clusterBytes;
  if (chain.length * per < e.size) throw malformed(`"${e.name}" is ${e.size} bytes but its chain holds fewer`);
  chain.forEach((c, i) => {
    const n = Math.min(per, e.size - i * per);
    if (n > 0) out.set(fs.img.subarray(clusterOffset(fs.geo, c), clusterOffset(fs.geo, c) + n), i * per);
  });
  return out;
}

export function readFile(img: Uint8Array, path: string): Uint8Array {
  const fs = openFs(img);
  const e = lookup(fs, path);
  if (!e || isDirectory(e))
    throw new DiskError('EVEBOOT_ERR_DISK_NOT_FOUND', `no file "${path}" in the FAT filesystem`);
  return fileData(fs, e);
}
