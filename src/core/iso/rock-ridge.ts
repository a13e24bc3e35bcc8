// File names of an ISO 9660 tree as Linux shows them: Rock Ridge `NM` (RRIP 1.12 §4.1.4) carried in SUSP entries
// (SUSP 1.12 §4–5), else the Joliet UCS-2 name, else the plain ECMA-119 identifier without its ";1" version.
// EVE's installer.iso is built with `xorriso -as mkisofs -R` (pkg/mkimage-iso-efi/make-efi): Rock Ridge, no
// Joliet, so "config.img" exists only as an NM name; its plain identifier is "CONFIG.IMG;1".
import { type DirRecord, IsoFormatError, type ReadAt, SECTOR } from './volume.js';

const MAX_CONTINUATIONS = 8;

interface SuspEntry {
  sig: string;
  data: Uint8Array;
}

/** SUSP entries of one System Use area (after `skip` bytes, from SP), following CE continuation areas. */
export function suspEntries(read: ReadAt, area: Uint8Array, skip: number): SuspEntry[] {
  const out: SuspEntry[] = [];
  let bytes = area.subarray(Math.min(skip, area.length));
  for (let hops = 0; hops <= MAX_CONTINUATIONS; hops++) {
    let next: { at: number; len: number } | undefined;
    for (let at = 0; at + 4 <= bytes.length; ) {
      const len = bytes[at + 2]!;
      if (len < 4 || at + len > bytes.length) break; // padding or a damaged entry: stop reading this area
      const sig = String.fromCharCode(bytes[at]!, bytes[at + 1]!);
      const data = bytes.subarray(at + 4, at + len);
      if (sig === 'ST') break; // SUSP §5.4: terminator
      if (sig === 'CE' && data.length >= 24) {
        // SUSP §5.1: block, offset, length of the continuation area, both-byte order (little-endian halves)
        const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
        next = { at: dv.getUint32(0, true) * SECTOR + dv.getUint32(8, true), len: dv.getUint32(16, true) };
      }
      out.push({ sig, data });
      at += len;
    }
    if (!next) return out;
    if (next.len > SECTOR) throw new IsoFormatError(`SUSP continuation area of ${next.len} bytes is too large`);
    bytes = read(next.at, next.len);
  }
  throw new IsoFormatError('too many SUSP continuation areas');
}

/** SP in the root's "." record (SUSP §5.3): SUSP is in use, and how many bytes to skip in each area. */
export function suspSkip(rootSelf: DirRecord): number | undefined {
  const su = rootSelf.systemUse;
  if (su.length >= 7 && su[0] === 0x53 && su[1] === 0x50 && su[4] === 0xbe && su[5] === 0xef) return su[6]!;
  return undefined;
}

/** The Rock Ridge name, joined over CONTINUE-flagged NM entries; undefined when the record has none. */
export function rockRidgeName(entries: SuspEntry[]): string | undefined {
  let name: string | undefined;
  for (const e of entries) {
    if (e.sig !== 'NM' || e.data.length < 1) continue;
    const flags = e.data[0]!;
    if (flags & 0x06) return undefined; // CURRENT / PARENT: "." and ".."
    name = (name ?? '') + new TextDecoder().decode(e.data.subarray(1));
    if ((flags & 0x01) === 0) break;
  }
  return name;
}

/** Joliet identifiers are UCS-2 big-endian (Joliet spec §3.3), with the same ";1" version suffix. */
export function jolietName(raw: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < raw.length; i += 2) s += String.fromCharCode((raw[i]! << 8) | raw[i + 1]!);
  return stripVersion(s);
}

/** ECMA-119 §7.5: "NAME.EXT;1"; a file without an extension is recorded as "NAME.;1". */
export function isoName(raw: Uint8Array): string {
  return stripVersion(String.fromCharCode(...raw));
}

function stripVersion(s: string): string {
  return s.replace(/;\d+$/, '').replace(/\.$/, '');
}
