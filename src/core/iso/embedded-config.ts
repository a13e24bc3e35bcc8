// Where EVE's installer.iso keeps its CONFIG partition image: the top-level /config.img, a 5120 KiB FAT image
// (pkg/mkconf/make-config CONFIG_SIZE_KB=5120). The netboot installer copies that file, never one added to the
// initramfs from outside the ISO (eve-conformance §2), so eveboot replaces its bytes in place while serving.
// xorriso writes each file as one contiguous extent; anything else is refused rather than patched.
import { isoName, jolietName, rockRidgeName, suspEntries, suspSkip } from './rock-ridge.js';
import { type DirRecord, IsoFormatError, type ReadAt, readDirectory, readVolume, SECTOR } from './volume.js';

export const CONFIG_IMG_NAME = 'config.img';
export const CONFIG_IMG_SIZE = 5120 * 1024;

export interface EmbeddedConfig {
  /** Byte offset of config.img's data inside the ISO. */
  offset: number;
  size: number;
}

export type EmbeddedConfigResult =
  | { kind: 'found'; config: EmbeddedConfig; names: 'rock-ridge' | 'joliet' | 'iso9660' }
  | { kind: 'refused'; reason: string };

interface Named {
  name: string;
  rec: DirRecord;
}

function rootEntries(read: ReadAt, root: DirRecord, joliet: DirRecord | undefined) {
  const records = readDirectory(read, root);
  const skip = records[0] ? suspSkip(records[0]) : undefined;
  if (skip !== undefined) {
    const named = records.slice(2).map((rec) => ({
      name: rockRidgeName(suspEntries(read, rec.systemUse, skip)) ?? isoName(rec.rawName),
      rec,
    }));
    return { names: 'rock-ridge' as const, named };
  }
  if (joliet) {
    const named = readDirectory(read, joliet)
      .slice(2)
      .map((rec) => ({ name: jolietName(rec.rawName), rec }));
    return { names: 'joliet' as const, named };
  }
  // Plain ECMA-119: d-characters are upper case, so compare without case.
  const named = records.slice(2).map((rec) => ({ name: isoName(rec.rawName).toLowerCase(), rec }));
  return { names: 'iso9660' as const, named };
}

/** Finds /config.img and checks it can be replaced in place: one extent of exactly 5120 KiB inside the volume. */
export function findEmbeddedConfig(read: ReadAt, fileSize?: number): EmbeddedConfigResult {
  try {
    const vol = readVolume(read);
    const { names, named } = rootEntries(read, vol.root, vol.jolietRoot);
    const hits: Named[] = named.filter((n) => n.name === CONFIG_IMG_NAME);
    if (hits.length === 0) return { kind: 'refused', reason: `no /${CONFIG_IMG_NAME} at the top of the ISO` };
    const { rec } = hits[0]!;
    if (rec.directory) return { kind: 'refused', reason: `/${CONFIG_IMG_NAME} is a directory` };
    if (hits.length > 1 || rec.multiExtent || rec.interleaved) {
      return { kind: 'refused', reason: `/${CONFIG_IMG_NAME} is not one contiguous extent` };
    }
    if (rec.size !== CONFIG_IMG_SIZE) {
      return {
        kind: 'refused',
        reason: `/${CONFIG_IMG_NAME} is ${rec.size} bytes, not ${CONFIG_IMG_SIZE} (EVE's 5120 KiB CONFIG image)`,
      };
    }
    const offset = rec.extent * SECTOR;
    const end = Math.min(vol.blocks * SECTOR, fileSize ?? Number.POSITIVE_INFINITY);
    if (rec.extent < 16 || offset + rec.size > end) {
      return { kind: 'refused', reason: `/${CONFIG_IMG_NAME}'s extent (block ${rec.extent}) lies outside the image` };
    }
    return { kind: 'found', config: { offset, size: rec.size }, names };
  } catch (e) {
    if (e instanceof IsoFormatError) return { kind: 'refused', reason: e.message };
    throw e;
  }
}
