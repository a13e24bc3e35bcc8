import { describe, expect, it } from 'vitest';
import { CONFIG_IMG_SIZE, findEmbeddedConfig } from '../../../src/core/iso/embedded-config.js';
import { buildIso, configFile, type IsoSpec, readerOf } from '../../../src/sim/sim-iso.js';

const other = { name: 'rootfs_installer.img', size: 5000 };
const boot = { name: 'boot', size: 2048, dir: true };

// Offsets follow the builder's layout: data from sector 24, files in the order given.
const cases: { name: string; input: IsoSpec; want: ReturnType<typeof findEmbeddedConfig> }[] = [
  {
    name: 'Rock Ridge names, as EVE builds installer.iso (xorriso -as mkisofs -R)',
    input: { names: 'rock-ridge', files: [boot, other, configFile()] },
    want: { kind: 'found', names: 'rock-ridge', config: { offset: 28 * 2048, size: CONFIG_IMG_SIZE } },
  },
  {
    name: 'a Rock Ridge NM name held in a CE continuation area',
    input: { names: 'rock-ridge', files: [configFile(), other], continued: 'config.img' },
    want: { kind: 'found', names: 'rock-ridge', config: { offset: 24 * 2048, size: CONFIG_IMG_SIZE } },
  },
  {
    name: 'Joliet names when there is no Rock Ridge',
    input: { names: 'joliet', files: [other, configFile()] },
    want: { kind: 'found', names: 'joliet', config: { offset: 27 * 2048, size: CONFIG_IMG_SIZE } },
  },
  {
    name: 'plain ISO 9660 identifiers (CONFIG.IMG;1)',
    input: { names: 'iso9660', files: [configFile()] },
    want: { kind: 'found', names: 'iso9660', config: { offset: 24 * 2048, size: CONFIG_IMG_SIZE } },
  },
  {
    name: 'an ISO without config.img is refused',
    input: { names: 'rock-ridge', files: [other] },
    want: { kind: 'refused', reason: 'no /config.img at the top of the ISO' },
  },
  {
    name: 'a config.img of the wrong size is refused',
    input: { names: 'rock-ridge', files: [configFile({ size: 1024 * 1024 })] },
    want: { kind: 'refused', reason: "/config.img is 1048576 bytes, not 5242880 (EVE's 5120 KiB CONFIG image)" },
  },
  {
    name: 'a multi-extent config.img is refused',
    input: { names: 'rock-ridge', files: [configFile({ flags: 0x80 })] },
    want: { kind: 'refused', reason: '/config.img is not one contiguous extent' },
  },
  {
    name: 'an interleaved config.img is refused',
    input: { names: 'rock-ridge', files: [configFile({ interleave: 4 })] },
    want: { kind: 'refused', reason: '/config.img is not one contiguous extent' },
  },
  {
    name: 'a directory called config.img is refused',
    input: { names: 'rock-ridge', files: [{ name: 'config.img', size: 2048, dir: true }] },
    want: { kind: 'refused', reason: '/config.img is a directory' },
  },
];

describe('findEmbeddedConfig', () => {
  for (const c of cases) {
    it(c.name, () => {
      const img = buildIso(c.input);
      expect(findEmbeddedConfig(readerOf(img), img.length)).toEqual(c.want);
    });
  }
});

describe('findEmbeddedConfig on damaged input', () => {
  const good = buildIso({ names: 'rock-ridge', files: [other, configFile()] });
  const damaged: { name: string; input: Uint8Array; fileSize?: number; want: RegExp }[] = [
    { name: 'empty input', input: new Uint8Array(0), want: /truncated: volume descriptor/ },
    { name: 'cut inside the volume descriptors', input: good.subarray(0, 16 * 2048 + 100), want: /truncated/ },
    { name: 'cut before the root directory', input: good.subarray(0, 19 * 2048), want: /truncated: directory/ },
    {
      name: 'cut inside config.img (the extent runs past the file)',
      input: good.subarray(0, 30 * 2048),
      fileSize: 30 * 2048,
      want: /extent \(block 27\) lies outside the image/,
    },
    { name: 'garbage instead of an ISO', input: new Uint8Array(40 * 2048).fill(0x5a), want: /no CD001 at sector 16/ },
    {
      name: 'a 512-byte logical block size',
      input: (() => {
        const b = good.slice();
        b.set([0, 2, 2, 0], 16 * 2048 + 128);
        return b;
      })(),
      want: /logical block size 512/,
    },
    {
      name: 'a file name running past its directory record',
      input: (() => {
        const b = good.slice();
        b[19 * 2048 + 76 + 32] = 200; // third record ("." is 42 bytes with SP, ".." 34): its name length
        return b;
      })(),
      want: /name runs past the record/,
    },
    {
      name: 'a terminator before any Primary Volume Descriptor',
      input: (() => {
        const b = good.slice();
        b[16 * 2048] = 255;
        return b;
      })(),
      want: /no Primary Volume Descriptor/,
    },
  ];
  for (const c of damaged) {
    it(`${c.name} is refused, not thrown`, () => {
      const r = findEmbeddedConfig(readerOf(c.input), c.fileSize ?? c.input.length);
      expect(r.kind).toBe('refused');
      expect(r.kind === 'refused' && r.reason).toMatch(c.want);
    });
  }
});
