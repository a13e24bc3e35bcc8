// FAT round-trips: images we make, and images made by mkfs.fat + mcopy, read, rewritten and read again.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DiskError } from '../../../src/core/disk/disk-error.js';
import { formatFat, makeFatImage } from '../../../src/core/disk/fat-format.js';
import { readFat, readFile } from '../../../src/core/disk/fat-read.js';
import { verifyFiles } from '../../../src/core/disk/fat-verify.js';
import { writeFiles } from '../../../src/core/disk/fat-write.js';
import { expectGolden, loadFixture } from './golden.js';

const t = (s: string) => new TextEncoder().encode(s);
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const configFiles = [
  { path: 'server', data: t('192.168.1.10:8443\n') },
  { path: 'root-certificate.pem', data: bytes(700, 1) },
  { path: 'v2tlsbaseroot-certificates.pem', data: bytes(700, 1) },
  { path: 'onboard.cert.pem', data: bytes(650, 2) },
  { path: 'onboard.key.pem', data: bytes(241, 3) },
  { path: 'GlobalConfig/global.json', data: t('{"timer.reboot.no.network":"3600"}\n') },
  { path: 'DevicePortConfig/override.json', data: t('{}\n') },
  { path: 'empty', data: new Uint8Array(0) },
  { path: 'big.bin', data: bytes(70_000, 4) },
];

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('makeFatImage', () => {
  it.each([
    { name: 'the 5 MiB default is FAT12 with 2 KiB clusters', opts: {}, type: 12, cluster: 2048 },
    { name: 'a forced FAT16 5 MiB image', opts: { fatType: 16 as const }, type: 16, cluster: 512 },
    { name: 'a 1 MiB image (make-raw CONF_PART_SIZE) is FAT12', opts: { sizeBytes: 1 << 20 }, type: 12, cluster: 512 },
    { name: 'a 64 MiB image is FAT16', opts: { sizeBytes: 64 << 20 }, type: 16, cluster: 1024 },
    {
      name: 'a forced FAT32 40 MiB image',
      opts: { fatType: 32 as const, sizeBytes: 40 << 20 },
      type: 32,
      cluster: 512,
    },
  ])('$name, and every file reads back', ({ opts, type, cluster }) => {
    const img = makeFatImage(configFiles, opts);
    const listing = readFat(img);
    expect({ type: listing.type, cluster: listing.clusterBytes, label: listing.label }).toEqual({
      type,
      cluster,
      label: 'CONFIG',
    });
    expect(verifyFiles(img, configFiles)).toEqual([]);
    expect(listing.files.map((f) => f.path)).toEqual([
      'server',
      'root-certificate.pem',
      'v2tlsbaseroot-certificates.pem',
      'onboard.cert.pem',
      'onboard.key.pem',
      'GlobalConfig',
      'GlobalConfig/global.json',
      'DevicePortConfig',
      'DevicePortConfig/override.json',
      'empty',
      'big.bin',
    ]);
  });

  it('is reproducible: the same input gives the same bytes (golden digest)', () => {
    const a = makeFatImage(configFiles);
    expect(sha(a)).toBe(sha(makeFatImage(configFiles)));
    expectGolden('make-fat-image.golden.json', { sha256: sha(a), size: a.length });
  });

  it('looks files up case-insensitively, like every FAT driver', () => {
    const img = makeFatImage(configFiles);
    expect(readFile(img, 'GLOBALCONFIG/Global.JSON')).toEqual(configFiles[5]!.data);
    expect(readFile(img, 'ROOT-C~1.PEM')).toEqual(configFiles[1]!.data);
  });

  it.each([
    { name: 'a label with lower case', opts: { label: 'config' }, want: /volume label/ },
    { name: 'an image too small for any FAT', opts: { sizeBytes: 4096 }, want: /no FAT layout fits/ },
    { name: 'FAT32 on 5 MiB', opts: { fatType: 32 as const }, want: /no FAT32 layout fits/ },
  ])('refuses $name', ({ opts, want }) => expect(() => formatFat(opts)).toThrow(want));
});

describe('reading and rewriting images made by mkfs.fat and mcopy', () => {
  it.each([
    { name: 'FAT12 1 MiB (mkfs.fat -C 1024)', file: 'eve-config-fat12.img.gz', golden: 'eve-config-fat12.golden.json' },
    { name: 'FAT32 34 MiB (mkfs.fat -F 32)', file: 'eve-fat32.img.gz', golden: 'eve-fat32.golden.json' },
  ])('$name: lists as golden, replaces and adds files, keeps the others', ({ file, golden }) => {
    const img = loadFixture(file);
    expectGolden(golden, readFat(img));
    expect(new TextDecoder().decode(readFile(img, 'server'))).toBe('zedcloud.alpha.zededa.net\n');
    const keys = readFile(img, 'authorized_keys');
    const before = readFat(img).freeClusters;
    writeFiles(img, configFiles, { time: new Date(Date.UTC(2026, 0, 2, 3, 4, 6)) });
    expect(verifyFiles(img, configFiles)).toEqual([]);
    expect(readFile(img, 'authorized_keys')).toEqual(keys);
    expect(readFile(img, 'GlobalConfig/global.json')).toEqual(configFiles[5]!.data);
    const after = readFat(img);
    expect(after.files.filter((f) => f.path.toLowerCase() === 'server')).toHaveLength(1);
    expect(after.freeClusters).toBeLessThan(before);
  });

  it('rewriting a file twice frees the old clusters', () => {
    const img = makeFatImage(configFiles);
    const free = readFat(img).freeClusters;
    writeFiles(img, [{ path: 'big.bin', data: bytes(10, 9) }]);
    writeFiles(img, [{ path: 'big.bin', data: bytes(70_000, 4) }]);
    expect(readFat(img).freeClusters).toBe(free);
  });

  it('grows a subdirectory past one cluster when it fills', () => {
    const img = makeFatImage([], { sizeBytes: 1 << 20 }); // 512-byte clusters: 16 slots per directory cluster
    const many = Array.from({ length: 40 }, (_, i) => ({
      path: `dir/file-with-a-long-name-${i}.txt`,
      data: t(`${i}`),
    }));
    writeFiles(img, many);
    expect(verifyFiles(img, many)).toEqual([]);
    expect(readFat(img).files.filter((f) => f.path.startsWith('dir/'))).toHaveLength(40);
  });
});

describe('errors leave the image untouched', () => {
  it.each([
    {
      name: 'a full filesystem',
      files: [{ path: 'huge', data: new Uint8Array(2 << 20) }],
      code: 'EVEBOOT_ERR_DISK_FULL',
      want: /full: huge needs 2048 KiB/,
    },
    {
      name: 'a full fixed root directory (512 entries on FAT12/16)',
      files: Array.from({ length: 600 }, (_, i) => ({ path: `F${i}`, data: new Uint8Array(0) })),
      code: 'EVEBOOT_ERR_DISK_FULL',
      want: /root directory is full \(512 entries\)/,
    },
    {
      name: 'a path through a file',
      files: [{ path: 'server/x', data: t('x') }],
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /"server" is a file/,
    },
    {
      name: 'writing over a directory',
      files: [{ path: 'GlobalConfig', data: t('x') }],
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /it is a directory/,
    },
    {
      name: 'a bad name',
      files: [{ path: 'a:b', data: t('x') }],
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /not a valid/,
    },
  ])('$name', ({ files, code, want }) => {
    const img = makeFatImage(configFiles, { sizeBytes: 1 << 20 });
    const before = sha(img);
    let err: unknown;
    try {
      writeFiles(img, [{ path: 'server', data: t('changed') }, ...files]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DiskError);
    expect((err as DiskError).code).toBe(code);
    expect((err as DiskError).message).toMatch(want);
    expect(sha(img)).toBe(before);
  });
});

describe('malformed and truncated filesystems', () => {
  const good = () => makeFatImage(configFiles, { sizeBytes: 1 << 20 });
  const fatOffset = 512; // one reserved sector
  it.each([
    { name: 'an empty buffer', make: () => new Uint8Array(0), want: /too short/ },
    { name: 'a zeroed boot sector', make: () => good().fill(0, 0, 512), want: /bad BPB/ },
    { name: '3 sectors per cluster', make: () => Object.assign(good(), { 13: 3 }), want: /sectors per cluster 3/ },
    { name: 'the image cut in half', make: () => good().subarray(0, 1 << 19), want: /truncated/ },
    {
      name: 'a chain that loops (server → itself)',
      make: () => {
        const img = good();
        const c = new DataView(img.buffer).getUint16(readServerSlot(img) + 26, true);
        setFat12(img, fatOffset, c, c);
        return img;
      },
      want: /loops/,
    },
    {
      name: 'a chain into a free cluster',
      make: () => {
        const img = good();
        const c = new DataView(img.buffer).getUint16(findShort(img, 'BIG     BIN') + 26, true);
        setFat12(img, fatOffset, c, 0);
        return img;
      },
      want: /free\/bad cluster/,
    },
    {
      name: 'an entry pointing past the last cluster',
      make: () => {
        const img = good();
        new DataView(img.buffer).setUint16(readServerSlot(img) + 26, 0xff0, true);
        return img;
      },
      want: /invalid cluster 4080/,
    },
  ])('rejects $name', ({ make, want }) => {
    const img = make();
    const act = () => {
      readFat(img);
      readFile(img, 'big.bin');
      readFile(img, 'server');
    };
    expect(act).toThrow(DiskError);
    expect(act).toThrow(want);
  });
});

function findShort(img: Uint8Array, name11: string): number {
  const at = Buffer.from(img).indexOf(Buffer.from(name11, 'latin1'));
  if (at < 0) throw new Error(`no ${name11}`);
  return at;
}
const readServerSlot = (img: Uint8Array) => findShort(img, 'SERVER     ');

function setFat12(img: Uint8Array, base: number, n: number, v: number): void {
  const dv = new DataView(img.buffer, img.byteOffset);
  const off = base + n + (n >> 1);
  const w = dv.getUint16(off, true);
  dv.setUint16(off, n & 1 ? (w & 0x000f) | (v << 4) : (w & 0xf000) | v, true);
}

describe('verifyFiles', () => {
  it('names a missing file and a file whose bytes differ', () => {
    const img = makeFatImage([{ path: 'server', data: t('a\n') }], { sizeBytes: 1 << 20 });
    expect(
      verifyFiles(img, [
        { path: 'server', data: t('b\n') },
        { path: 'grub.cfg', data: t('') },
      ]),
    ).toEqual([
      'server: read back 2 bytes that differ from the 2 written',
      'grub.cfg: no file "grub.cfg" in the FAT filesystem',
    ]);
  });
});
