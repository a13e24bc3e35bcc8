// Formatting a fresh FAT filesystem in memory (like mkfs.fat, without root or a loop device), and makeFatImage,
// which formats and then writes files. EVE's CONFIG image is a 5 MiB FAT volume labelled CONFIG (eve-api-facts §6.4).
import { crc32 } from './crc32.js';
import { DiskError } from './disk-error.js';
import { type FatType, fatTypeFor } from './fat-geometry.js';
import { ATTR_VOLUME_ID } from './fat-name.js';
import { openFs } from './fat-read.js';
import { endOfChain, setEntry } from './fat-table.js';
import { FAT_EPOCH, type FatFile, writeFiles } from './fat-write.js';

export interface FormatOptions {
  sizeBytes?: number;
  label?: string;
  /** Forced FAT type; by default FAT12 with ≤ 4 KiB clusters, else FAT16, else FAT32 (as mkfs.fat would). */
  fatType?: FatType;
  /** Volume serial; by default derived from the contents so the same input gives the same bytes. */
  volumeId?: number;
  /** BPB hidden sectors: the partition's first LBA when the volume lives in a partition. */
  hiddenSectors?: number;
  time?: Date;
}

interface Layout {
  type: FatType;
  spc: number;
  reserved: number;
  rootEntries: number;
  fatSectors: number;
}

const SECTOR = 512;
const MARGIN = 16; // stay clear of the 4085 / 65525 boundaries, where some drivers disagree on the type

function layoutFor(total: number, type: FatType, spc: number): Layout | undefined {
  const reserved = type === 32 ? 32 : 1;
  const rootEntries = type === 32 ? 0 : 512;
  const rootSectors = (rootEntries * 32) / SECTOR;
  let fatSectors = 1;
  for (let i = 0; i < 8; i++) {
    const clusters = Math.floor((total - reserved - 2 * fatSectors - rootSectors) / spc);
    if (clusters < 1) return undefined;
    const bytes = type === 12 ? Math.ceil(((clusters + 2) * 3) / 2) : (clusters + 2) * (type / 8);
    const need = Math.ceil(bytes / SECTOR);
    if (need <= fatSectors) {
      const lo = type === 12 ? 1 : type === 16 ? 4085 + MARGIN : 65525 + MARGIN;
      const hi = type === 12 ? 4085 - MARGIN : type === 16 ? 65525 - MARGIN : 0x0ffffff5;
      const ok = clusters >= lo && clusters <= hi && fatTypeFor(clusters) === type;
      return ok ? { type, spc, reserved, rootEntries, fatSectors } : undefined;
    }
    fatSectors = need;
  }
  return undefined;
}

function chooseLayout(total: number, forced?: FatType): Layout {
  const plan: [FatType, number][] = forced
    ? [[forced, 128]]
    : [
        [12, 8],
        [16, 64],
        [32, 64],
      ];
  for (const [type, maxSpc] of plan)
    for (let spc = 1; spc <= maxSpc; spc *= 2) {
      const l = layoutFor(total, type, spc);
      if (l) return l;
    }
  throw new DiskError('EVEBOOT_ERR_DISK_MALFORMED', `no FAT${forced ?? ''} layout fits ${total} sectors`);
}

function labelBytes(label: string): Uint8Array {
  if (!/^[A-Z0-9 $%'\-_@~`!(){}^#&]{1,11}$/.test(label))
    throw new DiskError('EVEBOOT_ERR_DISK_MALFORMED', `volume label "${label}": use 1-11 upper-case letters/digits`);
  return Uint8Array.from(label.padEnd(11, ' '), (c) => c.charCodeAt(0));
}

/** An empty FAT filesystem of `sizeBytes` (rounded down to whole sectors). */
export function formatFat(opts: FormatOptions = {}): Uint8Array {
  const total = Math.floor((opts.sizeBytes ?? 5 * 1024 * 1024) / SECTOR);
  const l = chooseLayout(total, opts.fatType);
  const label = labelBytes(opts.label ?? 'CONFIG');
  const img = new Uint8Array(total * SECTOR);
  const v = new DataView(img.buffer);
  const fat32 = l.type === 32;
  const ext = fat32 ? 28 : 0;
  img.set([0xeb, fat32 ? 0x58 : 0x3c, 0x90], 0); // jmp short over the BPB to the boot code
  img.set(
    Uint8Array.from('EVEBOOT ', (c) => c.charCodeAt(0)),
    3,
  );
  v.setUint16(11, SECTOR, true);
  img[13] = l.spc;
  v.setUint16(14, l.reserved, true);
  img[16] = 2; // two FATs, as every formatter writes
  v.setUint16(17, l.rootEntries, true);
  if (total < 0x10000 && !fat32) v.setUint16(19, total, true);
  else v.setUint32(32, total, true);
  img[21] = 0xf8; // media: fixed disk
  if (fat32) v.setUint32(36, l.fatSectors, true);
  else v.setUint16(22, l.fatSectors, true);
  v.setUint16(24, 32, true); // sectors per track and heads: nominal CHS, unused by LBA readers
  v.setUint16(26, 64, true);
  v.setUint32(28, opts.hiddenSectors ?? 0, true);
  if (fat32) {
    v.setUint32(44, 2, true); // root directory cluster
    v.setUint16(48, 1, true); // FSInfo sector
    v.setUint16(50, 6, true); // backup boot sector
  }
  img[36 + ext] = 0x80;
  img[38 + ext] = 0x29; // extended boot signature: serial, label and type follow
  v.setUint32(39 + ext, opts.volumeId ?? crc32(label), true);
  img.set(label, 43 + ext);
  img.set(
    Uint8Array.from(`FAT${l.type}   `, (c) => c.charCodeAt(0)),
    54 + ext,
  );
  img.set([0xf4, 0xeb, 0xfd], 62 + ext); // boot code: hlt; jmp $-1 (this volume is not bootable)
  img[510] = 0x55;
  img[511] = 0xaa;
  if (fat32) writeFsInfo(img);
  const fs = openFs(img);
  setEntry(fs, 0, 0x0fffff00 | 0xf8); // FAT[0] = media byte, FAT[1] = EOC (fatgen103 §4)
  setEntry(fs, 1, endOfChain(fs));
  if (fat32) setEntry(fs, 2, endOfChain(fs));
  const rootOff = fat32 ? (l.reserved + 2 * l.fatSectors) * SECTOR : fs.geo.rootDirSector * SECTOR;
  img.set(label, rootOff);
  img[rootOff + 11] = ATTR_VOLUME_ID;
  if (fat32) {
    v.setUint32(SECTOR + 488, fs.geo.clusterCount - 1, true); // FSInfo free count: all but the root cluster
    img.copyWithin(6 * SECTOR, 0, 3 * SECTOR); // backup boot sector + FSInfo + spare at sector 6
  }
  return img;
}

function writeFsInfo(img: Uint8Array): void {
  const v = new DataView(img.buffer, SECTOR, SECTOR);
  v.setUint32(0, 0x41615252, true);
  v.setUint32(484, 0x61417272, true);
  v.setUint32(488, 0xffffffff, true);
  v.setUint32(492, 0xffffffff, true);
  v.setUint32(508, 0xaa550000, true);
}

/** A FAT image (label CONFIG, 5 MiB by default) holding `files`, byte-for-byte reproducible for the same input. */
export function makeFatImage(files: FatFile[], opts: FormatOptions = {}): Uint8Array {
  const seed = files.map((f) => `${f.path}:${crc32(f.data)}`).join('\n');
  const volumeId = opts.volumeId ?? crc32(new TextEncoder().encode(`${opts.label ?? 'CONFIG'}\n${seed}`));
  const img = formatFat({ ...opts, volumeId });
  writeFiles(img, files, { time: opts.time ?? FAT_EPOCH });
  return img;
}
