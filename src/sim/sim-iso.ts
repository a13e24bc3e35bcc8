// Small ISO 9660 images written byte by byte, laid out like EVE's installer.iso (top-level files, each one extent):
// the demo's fake release, the boot API's fake bundle, and the ISO reader's table tests (which also ask for damaged
// variants: multi-extent or interleaved flags, names in CE areas). A PVD (with or without Rock Ridge
// names), an optional Joliet SVD, one root directory, and file data (each file one extent, as xorriso writes).
import { renderGrubCfg, siteConfigFiles } from '../core/disk/config-files.js';
import { makeFatImage } from '../core/disk/fat-format.js';
import { CONFIG_IMG_SIZE } from '../core/iso/embedded-config.js';

const SECTOR = 2048;

export interface IsoFile {
  /** Name as Linux shows it (Rock Ridge / Joliet); the plain identifier is its upper-case 8.3-ish form. */
  name: string;
  size: number;
  fill?: number;
  /** File content (else `size` bytes of `fill`). */
  data?: Uint8Array;
  flags?: number;
  interleave?: number;
  dir?: boolean;
}

export interface IsoSpec {
  names: 'rock-ridge' | 'joliet' | 'iso9660';
  files: IsoFile[];
  /** Put the NM entry of this file in a CE continuation area. */
  continued?: string;
}

export const configFile = (over: Partial<IsoFile> = {}): IsoFile => ({
  name: 'config.img',
  size: CONFIG_IMG_SIZE,
  fill: 0xc0,
  ...over,
});

function both32(v: number): number[] {
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24, v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function record(name: number[], extent: number, size: number, flags: number, su: number[], unit = 0): number[] {
  const pad = name.length % 2 === 0 ? 1 : 0;
  let len = 33 + name.length + pad + su.length;
  len += len % 2;
  const r = new Array<number>(len).fill(0);
  r[0] = len;
  r.splice(2, 8, ...both32(extent));
  r.splice(10, 8, ...both32(size));
  r[25] = flags;
  r[26] = unit;
  r[28] = 1;
  r[31] = 1;
  r[32] = name.length;
  r.splice(33, name.length, ...name);
  r.splice(33 + name.length + pad, su.length, ...su);
  return r.slice(0, len);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const ucs2 = (s: string) => [...s].flatMap((c) => [0, c.charCodeAt(0)]);
const nm = (name: string, flags = 0) => [0x4e, 0x4d, 5 + name.length, 1, flags, ...ascii(name)];
const SP = [0x53, 0x50, 7, 1, 0xbe, 0xef, 0];

export function buildIso(spec: IsoSpec): Uint8Array {
  const ROOT = 19;
  const JROOT = 20;
  const CE = 21;
  let next = 24;
  const placed = spec.files.map((f) => {
    const extent = next;
    next += Math.max(1, Math.ceil(f.size / SECTOR));
    return { f, extent };
  });
  const total = next;
  const img = new Uint8Array(total * SECTOR);
  const descriptor = (sector: number, type: number, rootExtent: number, escapes?: number[]) => {
    const d = img.subarray(sector * SECTOR, (sector + 1) * SECTOR);
    d.set([type, ...ascii('CD001'), 1]);
    if (type === 255) return;
    d.set(both32(total), 80);
    if (escapes) d.set(escapes, 88);
    d.set([0, 8, 8, 0], 128); // logical block size 2048, both-byte order
    d.set(record([0], rootExtent, SECTOR, 2, []), 156);
  };
  const rr = spec.names === 'rock-ridge';
  const dirOf = (joliet: boolean) => {
    const recs = [record([0], joliet ? JROOT : ROOT, SECTOR, 2, rr && !joliet ? SP : [])];
    recs.push(record([1], joliet ? JROOT : ROOT, SECTOR, 2, []));
    let ceUsed = false;
    for (const { f, extent } of placed) {
      const id = joliet ? ucs2(`${f.name};1`) : ascii(f.dir ? f.name.toUpperCase() : `${f.name.toUpperCase()};1`);
      let su: number[] = [];
      if (rr && !joliet) {
        if (spec.continued === f.name && !ceUsed) {
          ceUsed = true;
          img.set(nm(f.name), CE * SECTOR);
          su = [0x43, 0x45, 28, 1, ...both32(CE), ...both32(0), ...both32(nm(f.name).length)];
        } else su = nm(f.name);
      }
      recs.push(record(id, extent, f.size, (f.flags ?? 0) | (f.dir ? 2 : 0), su, f.interleave ?? 0));
    }
    return recs.flat();
  };
  descriptor(16, 1, ROOT);
  let t = 17;
  if (spec.names === 'joliet') descriptor(t++, 2, JROOT, ascii('%/E'));
  descriptor(t, 255, 0);
  img.set(dirOf(false), ROOT * SECTOR);
  if (spec.names === 'joliet') img.set(dirOf(true), JROOT * SECTOR);
  for (const { f, extent } of placed) {
    if (f.data) img.set(f.data.subarray(0, f.size), extent * SECTOR);
    else if (!f.dir) img.fill(f.fill ?? 0x11, extent * SECTOR, extent * SECTOR + f.size);
  }
  return img;
}

export const readerOf =
  (b: Uint8Array) =>
  (offset: number, length: number): Uint8Array =>
    b.subarray(Math.min(offset, b.length), Math.min(offset + length, b.length));

/** EVE's stock CONFIG (pkg/mkconf/make-config: a 5120 KiB FAT image labelled CONFIG) with a controller and root CA
 *  that are not eveboot's, so whoever reads config.img out of a served ISO sees which one it got. */
export function stockConfigImage(): Uint8Array {
  const pem = (kind: string, body: string) => `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
  const files = siteConfigFiles({
    server: 'zedcloud.local.zededa.net',
    rootCaPem: pem('CERTIFICATE', 'U1RPQ0sgRVZFIFJPT1Q='),
    onboardCertPem: pem('CERTIFICATE', 'U1RPQ0sgT05CT0FSRA=='),
    onboardKeyPem: pem('PRIVATE KEY', 'U1RPQ0s='),
    grubCfg: renderGrubCfg({}),
  });
  return makeFatImage(files, { label: 'CONFIG', sizeBytes: CONFIG_IMG_SIZE });
}
