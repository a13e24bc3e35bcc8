// What an `apps import` input is, from its first bytes: a tar (an OCI image archive), a qcow2 disk (QEMU's
// docs/interop/qcow2.txt header), or else a raw disk. A gzip file is refused rather than taken for a raw disk.
import { parseTarHeader, TAR_BLOCK } from '../boot/tar.js';
import { EvebootError } from '../errors.js';

export type InputKind = 'tar' | 'qcow2' | 'raw';

/** Bytes the sniffing needs: one tar block covers the qcow2 header (104 bytes in version 3) too. */
export const SNIFF_BYTES = TAR_BLOCK;

const QCOW2_MAGIC = [0x51, 0x46, 0x49, 0xfb]; // "QFI\xfb"
const GZIP_MAGIC = [0x1f, 0x8b];

const startsWith = (b: Uint8Array, magic: number[]) => magic.every((x, i) => b[i] === x);

export function sniffKind(head: Uint8Array, fileSize: number, where: string): InputKind {
  if (fileSize === 0) throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${where}: empty file`);
  if (startsWith(head, QCOW2_MAGIC)) return 'qcow2';
  if (startsWith(head, GZIP_MAGIC)) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      `${where}: gzip-compressed; decompress it first (an OCI archive is a plain tar, a disk a qcow2 or raw file)`,
    );
  }
  if (head.length >= TAR_BLOCK) {
    try {
      if (parseTarHeader(head.subarray(0, TAR_BLOCK))) return 'tar';
    } catch {
      // no tar checksum: a disk
    }
  }
  return 'raw';
}

export interface Qcow2Info {
  version: 2 | 3;
  virtualSizeBytes: number;
  clusterBits: number;
}

/** Incompatible feature bits of a version 3 header (qcow2.txt, bytes 72-79). */
const INCOMPATIBLE = { dirty: 1n << 0n, corrupt: 1n << 1n, externalData: 1n << 2n } as const;

/**
 * The header fields that decide whether EVE can use the disk as it is: no backing file (only this file is
 * served), no encryption, not marked corrupt or dirty, no external data file.
 */
export function parseQcow2Header(head: Uint8Array, where: string): Qcow2Info {
  const bad = (what: string) => new EvebootError('EVEBOOT_ERR_BAD_REQUEST', `${where}: qcow2 ${what}`);
  if (head.length < 72) throw bad('header truncated');
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = v.getUint32(4);
  if (version !== 2 && version !== 3) throw bad(`version ${version}: only versions 2 and 3 exist`);
  if (v.getBigUint64(8) !== 0n) throw bad('image with a backing file: flatten it first (qemu-img convert -O qcow2)');
  const clusterBits = v.getUint32(20);
  if (clusterBits < 9 || clusterBits > 21) throw bad(`cluster_bits ${clusterBits} outside 9..21`);
  const size = v.getBigUint64(24);
  if (size === 0n) throw bad('virtual size is 0');
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`virtual size ${size} is too large`);
  if (v.getUint32(32) !== 0) throw bad('image is encrypted: EVE cannot open it; convert it without encryption');
  if (version === 3) {
    if (head.length < 104) throw bad('version 3 header truncated');
    const incompatible = v.getBigUint64(72);
    if (incompatible & INCOMPATIBLE.corrupt) throw bad('image is marked corrupt: repair it with qemu-img check -r all');
    if (incompatible & INCOMPATIBLE.dirty) throw bad('image was not closed cleanly: run qemu-img check -r all');
    if (incompatible & INCOMPATIBLE.externalData) throw bad('image keeps its data in an external file');
  }
  return { version, virtualSizeBytes: Number(size), clusterBits };
}
