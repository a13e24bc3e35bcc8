// Rewriting files inside an existing FAT filesystem in memory: replace or add files, creating directories on the way.
// Work happens on a copy; the caller's image changes only when every file fitted (all or nothing).
import { DiskError } from './disk-error.js';
import { addEntry, type DirRef, findEntry, isDirectory, removeEntry, rootDir, shortEntry } from './fat-dir.js';
import { clusterOffset } from './fat-geometry.js';
import { ATTR_ARCHIVE, ATTR_DIRECTORY, checkLongName } from './fat-name.js';
import { dirOf, openFs, splitPath } from './fat-read.js';
import { allocate, countFree, type FatFs, freeChain } from './fat-table.js';

export interface FatFile {
  path: string;
  data: Uint8Array;
}

export interface WriteOptions {
  /** Timestamp for new entries (the core has no clock); defaults to the FAT epoch 1980-01-01 00:00 UTC. */
  time?: Date;
}

export const FAT_EPOCH = new Date(Date.UTC(1980, 0, 1));

function mkdir(fs: FatFs, parent: DirRef, name: string, time: Date): DirRef {
  const [c] = allocate(fs, 1, `directory ${name}`);
  const off = clusterOffset(fs.geo, c!);
  fs.img.fill(0, off, off + fs.geo.clusterBytes);
  // fatgen103 §6.5: "." points at the directory itself, ".." at the parent (0 when the parent is the root).
  const parentCluster = parent.kind === 'chain' && parent.cluster !== fs.geo.rootCluster ? parent.cluster : 0;
  const dot = (s: string) => Uint8Array.from(s.padEnd(11, ' '), (ch) => ch.charCodeAt(0));
  fs.img.set(shortEntry(dot('.'), { attr: ATTR_DIRECTORY, cluster: c!, size: 0, time }), off);
  fs.img.set(shortEntry(dot('..'), { attr: ATTR_DIRECTORY, cluster: parentCluster, size: 0, time }), off + 32);
  addEntry(fs, parent, { name, attr: ATTR_DIRECTORY, cluster: c!, size: 0, time });
  return { kind: 'chain', cluster: c! };
}

function writeData(fs: FatFs, data: Uint8Array, what: string): number {
  if (data.length === 0) return 0;
  const per = fs.geo.clusterBytes;
  const chain = allocate(fs, Math.ceil(data.length / per), what);
  chain.forEach((c, i) => {
    const off = clusterOffset(fs.geo, c);
    fs.img.fill(0, off, off + per);
    fs.img.set(data.subarray(i * per, (i + 1) * per), off);
  });
  return chain[0]!;
}

function writeOne(fs: FatFs, file: FatFile, time: Date): void {
  const parts = splitPath(file.path);
  for (const p of parts) checkLongName(p);
  if (file.data.length > 0xffffffff) throw new DiskError('EVEBOOT_ERR_DISK_FULL', `${file.path} exceeds 4 GiB`);
  let dir = rootDir(fs);
  for (const part of parts.slice(0, -1)) {
    const e = findEntry(fs, dir, part);
    if (e && !isDirectory(e))
      throw new DiskError(
        'EVEBOOT_ERR_DISK_MALFORMED',
        `cannot write ${file.path}: "${part}" is a file, not a directory`,
      );
    dir = e ? dirOf(fs, e) : mkdir(fs, dir, part, time);
  }
  const name = parts[parts.length - 1]!;
  const old = findEntry(fs, dir, name);
  if (old && isDirectory(old))
    throw new DiskError('EVEBOOT_ERR_DISK_MALFORMED', `cannot write ${file.path}: it is a directory`);
  if (old) {
    if (old.cluster !== 0) freeChain(fs, old.cluster);
    removeEntry(fs, old);
  }
  const cluster = writeData(fs, file.data, file.path);
  addEntry(fs, dir, { name, attr: ATTR_ARCHIVE, cluster, size: file.data.length, time });
}

/** FAT32 FSInfo (fatgen103 §5): keep the free-cluster count honest after we changed the FAT. */
function updateFsInfo(fs: FatFs): void {
  if (fs.geo.type !== 32 || fs.geo.fsInfoSector === 0) return;
  const off = fs.geo.fsInfoSector * fs.geo.bytesPerSector;
  if (fs.view.getUint32(off, true) !== 0x41615252 || fs.view.getUint32(off + 484, true) !== 0x61417272) return;
  fs.view.setUint32(off + 488, countFree(fs), true);
  fs.view.setUint32(off + 492, 0xffffffff, true); // next-free hint: unknown
}

/** Replaces or adds `files` in the FAT filesystem `img` (modified in place; unchanged if anything fails). */
export function writeFiles(img: Uint8Array, files: FatFile[], opts: WriteOptions = {}): void {
  const work = openFs(img.slice());
  for (const f of files) writeOne(work, f, opts.time ?? FAT_EPOCH);
  updateFsInfo(work);
  img.set(work.img);
}
