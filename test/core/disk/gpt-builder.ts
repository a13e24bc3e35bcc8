// Test-only GPT writer: a protective MBR, primary and backup headers and entry arrays with correct CRCs, so the
// parser's error paths can be driven by corrupting one field at a time.
import { crc32 } from '../../../src/core/disk/crc32.js';
import { encodeGuid } from '../../../src/core/disk/guid.js';

export interface PartSpec {
  number: number;
  type: string;
  guid: string;
  first: number;
  last: number;
  name: string;
  attributes?: bigint;
}

export function buildGpt(sectors: number, parts: PartSpec[], sectorSize = 512): Uint8Array {
  const disk = new Uint8Array(sectors * sectorSize);
  const dv = new DataView(disk.buffer);
  disk.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff, 0x01, 0, 0, 0], 446);
  dv.setUint32(446 + 12, Math.min(sectors - 1, 0xffffffff), true);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  const entries = new Uint8Array(128 * 128);
  const ev = new DataView(entries.buffer);
  for (const p of parts) {
    const o = (p.number - 1) * 128;
    entries.set(encodeGuid(p.type), o);
    entries.set(encodeGuid(p.guid), o + 16);
    ev.setBigUint64(o + 32, BigInt(p.first), true);
    ev.setBigUint64(o + 40, BigInt(p.last), true);
    ev.setBigUint64(o + 48, p.attributes ?? 0n, true);
    for (let i = 0; i < p.name.length; i++) ev.setUint16(o + 56 + i * 2, p.name.charCodeAt(i), true);
  }
  const entrySectors = entries.length / sectorSize;
  const last = sectors - 1;
  const header = (my: number, alt: number, entriesLba: number) => {
    const h = new Uint8Array(92);
    const hv = new DataView(h.buffer);
    h.set(new TextEncoder().encode('EFI PART'), 0);
    hv.setUint32(8, 0x00010000, true);
    hv.setUint32(12, 92, true);
    hv.setBigUint64(24, BigInt(my), true);
    hv.setBigUint64(32, BigInt(alt), true);
    hv.setBigUint64(40, BigInt(2 + entrySectors), true);
    hv.setBigUint64(48, BigInt(last - 1 - entrySectors), true);
    h.set(encodeGuid('12345678-1234-5678-9abc-def012345678'), 56);
    hv.setBigUint64(72, BigInt(entriesLba), true);
    hv.setUint32(80, 128, true);
    hv.setUint32(84, 128, true);
    hv.setUint32(88, crc32(entries), true);
    hv.setUint32(16, crc32(h), true);
    return h;
  };
  disk.set(header(1, last, 2), sectorSize);
  disk.set(entries, 2 * sectorSize);
  disk.set(entries, (last - entrySectors) * sectorSize);
  disk.set(header(last, 1, last - entrySectors), last * sectorSize);
  return disk;
}

/** Recomputes the primary header CRC after a test poked a field. */
export function resealHeader(disk: Uint8Array, sectorSize = 512): void {
  const h = disk.subarray(sectorSize, sectorSize + 92);
  const v = new DataView(h.buffer, h.byteOffset, 92);
  v.setUint32(16, 0, true);
  v.setUint32(16, crc32(h), true);
}
