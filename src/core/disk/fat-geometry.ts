// The FAT boot sector / BPB (Microsoft FAT spec "fatgen103" §3) turned into the numbers every other step needs.
// The FAT type follows from the cluster count alone (fatgen103 §3.5), never from the BS_FilSysType string.
import { malformed } from './disk-error.js';

export type FatType = 12 | 16 | 32;

export interface FatGeometry {
  type: FatType;
  bytesPerSector: number;
  sectorsPerCluster: number;
  clusterBytes: number;
  reservedSectors: number;
  numFats: number;
  fatSectors: number;
  /** Fixed root directory (FAT12/16): first sector and entry count. 0 on FAT32. */
  rootDirSector: number;
  rootEntries: number;
  /** FAT32 root directory cluster; 0 on FAT12/16. */
  rootCluster: number;
  firstDataSector: number;
  totalSectors: number;
  /** Data clusters; valid cluster numbers are 2 … clusterCount + 1. */
  clusterCount: number;
  /** FAT32 FSInfo sector, 0 when absent. */
  fsInfoSector: number;
  volumeId: number;
  bpbLabel: string;
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

export function fatTypeFor(clusterCount: number): FatType {
  if (clusterCount < 4085) return 12;
  if (clusterCount < 65525) return 16;
  return 32;
}

export function parseBootSector(img: Uint8Array): FatGeometry {
  if (img.length < 512) throw malformed(`FAT: ${img.length} bytes is too short for a boot sector`);
  const v = new DataView(img.buffer, img.byteOffset, img.length);
  const bytesPerSector = v.getUint16(11, true);
  const sectorsPerCluster = img[13]!;
  const reservedSectors = v.getUint16(14, true);
  const numFats = img[16]!;
  const rootEntries = v.getUint16(17, true);
  const totalSectors = v.getUint16(19, true) || v.getUint32(32, true);
  const fatSectors = v.getUint16(22, true) || v.getUint32(36, true);
  const problems: string[] = [];
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) problems.push(`bytes per sector ${bytesPerSector}`);
  if (!isPow2(sectorsPerCluster) || sectorsPerCluster > 128) problems.push(`sectors per cluster ${sectorsPerCluster}`);
  if (reservedSectors < 1) problems.push('no reserved sectors');
  if (numFats < 1 || numFats > 4) problems.push(`${numFats} FATs`);
  if (totalSectors === 0 || fatSectors === 0) problems.push('zero total or FAT sectors');
  if (problems.length > 0) throw malformed(`not a FAT filesystem (bad BPB: ${problems.join(', ')})`);
  const rootDirSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const rootDirSector = reservedSectors + numFats * fatSectors;
  const firstDataSector = rootDirSector + rootDirSectors;
  if (firstDataSector >= totalSectors) throw malformed('not a FAT filesystem (no room for a data region)');
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  const type = fatTypeFor(clusterCount);
  if ((type === 32) !== (rootEntries === 0))
    throw malformed(`FAT${type} by cluster count but the root directory has ${rootEntries} fixed entries`);
  const fatBytesNeeded = type === 12 ? Math.ceil(((clusterCount + 2) * 3) / 2) : (clusterCount + 2) * (type / 8);
  if (fatSectors * bytesPerSector < fatBytesNeeded) throw malformed('FAT is too small for the cluster count');
  const need = totalSectors * bytesPerSector;
  if (img.length < need) throw malformed(`FAT filesystem is truncated: needs ${need} bytes, have ${img.length}`);
  const ext = type === 32 ? 28 : 0; // the extended BPB sits 28 bytes further on FAT32
  const hasExt = img[38 + ext] === 0x29;
  return {
    type,
    bytesPerSector,
    sectorsPerCluster,
    clusterBytes: bytesPerSector * sectorsPerCluster,
    reservedSectors,
    numFats,
    fatSectors,
    rootDirSector: type === 32 ? 0 : rootDirSector,
    rootEntries,
    rootCluster: type === 32 ? v.getUint32(44, true) : 0,
    firstDataSector,
    totalSectors,
    clusterCount,
    fsInfoSector: type === 32 ? v.getUint16(48, true) : 0,
    volumeId: hasExt ? v.getUint32(39 + ext, true) : 0,
    bpbLabel: hasExt ? String.fromCharCode(...img.subarray(43 + ext, 54 + ext)).trimEnd() : '',
  };
}

export const clusterOffset = (g: FatGeometry, cluster: number): number =>
  (g.firstDataSector + (cluster - 2) * g.sectorsPerCluster) * g.bytesPerSector;
