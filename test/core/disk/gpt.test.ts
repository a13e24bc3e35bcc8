// GPT parsing: a real sgdisk-made EVE layout as golden, then one corrupted field at a time.
import { describe, expect, it } from 'vitest';
import {
  configMatchReasons,
  EVE_CONFIG_TYPE_GUID,
  findConfigPartition,
  MS_BASIC_DATA_TYPE_GUID,
} from '../../../src/core/disk/config-partition.js';
import { crc32 } from '../../../src/core/disk/crc32.js';
import { DiskError } from '../../../src/core/disk/disk-error.js';
import { type Gpt, gptTableRanges, parseGpt, partitionRange } from '../../../src/core/disk/gpt.js';
import { decodeGuid, encodeGuid } from '../../../src/core/disk/guid.js';
import { expectGolden, loadFixture } from './golden.js';
import { buildGpt, type PartSpec, resealHeader } from './gpt-builder.js';

const EVE = 'ad6871ee-31f9-4cf3-9e09-6f7a25c300';
const installerLayout: PartSpec[] = [
  {
    number: 1,
    type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
    guid: `${EVE}51`,
    first: 2048,
    last: 4095,
    name: 'EFI System',
  },
  {
    number: 4,
    type: MS_BASIC_DATA_TYPE_GUID,
    guid: '0badc0de-0000-4000-8000-000000000004',
    first: 4096,
    last: 6143,
    name: 'CONFIG',
  },
  {
    number: 5,
    type: MS_BASIC_DATA_TYPE_GUID,
    guid: '0badc0de-0000-4000-8000-000000000005',
    first: 6144,
    last: 8191,
    name: 'INVENTORY',
  },
];

const expectDiskError = (fn: () => unknown, code: DiskError['code'], text: RegExp) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DiskError);
    expect((e as DiskError).code).toBe(code);
    expect((e as DiskError).message).toMatch(text);
    return;
  }
  throw new Error('expected a DiskError');
};

describe('crc32 and GUIDs', () => {
  it.each([
    { name: 'the empty string', input: '', want: 0 },
    { name: 'the check string 123456789', input: '123456789', want: 0xcbf43926 },
  ])('crc32 of $name', ({ input, want }) => expect(crc32(new TextEncoder().encode(input))).toBe(want));

  it('GUIDs round-trip through the mixed-endian on-disk form', () => {
    const g = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
    const b = encodeGuid(g);
    expect(Buffer.from(b).toString('hex')).toBe('28732ac11ff8d211ba4b00a0c93ec93b');
    expect(decodeGuid(b, 0)).toBe(g);
  });
});

describe('parseGpt on a real sgdisk-made EVE live layout', () => {
  const head = loadFixture('eve-live-gpt-head.bin');
  it('decodes to the golden partition list, and finds CONFIG by name, GUID …0054 and type', () => {
    const gpt = parseGpt(head);
    expectGolden('eve-live-gpt.golden.json', gpt);
    const m = findConfigPartition(gpt);
    expect(m.partition.number).toBe(4);
    expect(m.reasons).toEqual([`name CONFIG`, `unique GUID ${EVE}54`, `type GUID ${EVE_CONFIG_TYPE_GUID}`]);
    expect(partitionRange(gpt, m.partition)).toEqual({ start: 26624 * 512, end: 28672 * 512 });
    expect(gpt.mbr).toBe('hybrid'); // sgdisk -h1, as make-raw does
  });
});

describe('parseGpt on built images', () => {
  it('finds CONFIG on an installer.raw layout by name alone (type is Microsoft basic data there)', () => {
    const gpt = parseGpt(buildGpt(8192 + 64, installerLayout));
    expect(gpt.mbr).toBe('protective');
    expect(findConfigPartition(gpt).reasons).toEqual(['name CONFIG']);
    expect(configMatchReasons(gpt.partitions.find((p) => p.name === 'INVENTORY')!)).toEqual([]);
    expect(gptTableRanges(gpt)).toEqual([
      { start: 0, end: 34 * 512 },
      { start: (8192 + 64 - 33) * 512, end: (8192 + 64) * 512 },
    ]);
  });

  it('reads 4096-byte-sector disks', () => {
    const gpt = parseGpt(buildGpt(2048, [{ ...installerLayout[1]!, first: 256, last: 511 }], 4096));
    expect(gpt.sectorSize).toBe(4096);
    expect(partitionRange(gpt, gpt.partitions[0]!)).toEqual({ start: 256 * 4096, end: 512 * 4096 });
  });

  const corrupt: { name: string; poke: (d: Uint8Array) => void; code: DiskError['code']; want: RegExp }[] = [
    {
      name: 'no 0x55AA signature',
      poke: (d) => d.set([0, 0], 510),
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /0x55AA/,
    },
    { name: 'an MBR without 0xEE', poke: (d) => (d[450] = 0x83), code: 'EVEBOOT_ERR_DISK_MALFORMED', want: /0xEE/ },
    {
      name: 'a wrong header signature',
      poke: (d) => (d[512] = 0x58),
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /EFI PART/,
    },
    {
      name: 'a flipped header byte',
      poke: (d) => (d[512 + 40]! ^= 1),
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /header CRC32/,
    },
    {
      name: 'a flipped entry byte',
      poke: (d) => (d[1024 + 3 * 128 + 60]! ^= 1),
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /entry array CRC32/,
    },
    {
      name: 'an entry size of 100',
      poke: (d) => {
        new DataView(d.buffer).setUint32(512 + 84, 100, true);
        resealHeader(d);
      },
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /entry array/,
    },
    {
      name: 'a primary header claiming LBA 7',
      poke: (d) => {
        new DataView(d.buffer).setBigUint64(512 + 24, 7n, true);
        resealHeader(d);
      },
      code: 'EVEBOOT_ERR_DISK_MALFORMED',
      want: /LBA 7/,
    },
  ];
  it.each(corrupt)('rejects $name', ({ poke, code, want }) => {
    const d = buildGpt(8192 + 64, installerLayout);
    poke(d);
    expectDiskError(() => parseGpt(d), code, want);
  });

  it.each([
    { name: 'nothing', bytes: 0, want: /too short/ },
    { name: 'only the MBR and header', bytes: 1024, want: /entry array ends at byte/ },
    { name: 'half the entry array', bytes: 9000, want: /entry array ends at byte/ },
  ])('rejects a truncated head holding $name', ({ bytes, want }) => {
    const d = buildGpt(8192 + 64, installerLayout).subarray(0, bytes);
    expectDiskError(() => parseGpt(d), 'EVEBOOT_ERR_DISK_MALFORMED', want);
  });

  it('says which partitions exist when there is no CONFIG', () => {
    const gpt: Gpt = parseGpt(buildGpt(8192 + 64, [installerLayout[0]!, installerLayout[2]!]));
    expectDiskError(() => findConfigPartition(gpt), 'EVEBOOT_ERR_DISK_NOT_FOUND', /1:EFI System, 5:INVENTORY/);
  });

  it('refuses to guess between two CONFIG partitions', () => {
    const two = [
      ...installerLayout,
      { ...installerLayout[1]!, number: 6, first: 8192, last: 8200, guid: `${EVE}54`, name: 'X' },
    ];
    expectDiskError(
      () => findConfigPartition(parseGpt(buildGpt(8192 + 64, two))),
      'EVEBOOT_ERR_DISK_MALFORMED',
      /4, 6/,
    );
  });
});
