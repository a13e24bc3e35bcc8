import { describe, expect, it } from 'vitest';
import { parseQcow2Header, sniffKind } from '../../../src/core/workloads/disk-image.js';
import { makeTar } from '../../adapters/boot-fixture.js';
import { qcow2Header } from '../../adapters/oci-fixture.js';

describe('sniffKind', () => {
  const cases: { name: string; input: { head: Uint8Array; size: number }; want: string }[] = [
    { name: 'qcow2 by its QFI\\xfb magic', input: { head: qcow2Header(1n << 30n), size: 512 }, want: 'qcow2' },
    {
      name: 'a tar by its header checksum',
      input: { head: makeTar([{ path: 'oci-layout', data: new Uint8Array(3) }]), size: 2048 },
      want: 'tar',
    },
    { name: 'zeros are a raw disk', input: { head: new Uint8Array(512), size: 1 << 20 }, want: 'raw' },
    {
      name: 'an MBR is a raw disk',
      input: {
        head: Uint8Array.from({ length: 512 }, (_, i) => (i === 510 ? 0x55 : i === 511 ? 0xaa : 0)),
        size: 4096,
      },
      want: 'raw',
    },
    { name: 'a short file is a raw disk', input: { head: new Uint8Array([1, 2, 3]), size: 3 }, want: 'raw' },
    {
      name: 'gzip is refused',
      input: { head: new Uint8Array([0x1f, 0x8b, 8, 0]), size: 100 },
      want: 'throws: gzip-compressed',
    },
    { name: 'an empty file is refused', input: { head: new Uint8Array(0), size: 0 }, want: 'throws: f: empty file' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = () => sniffKind(c.input.head, c.input.size, 'f');
      if (c.want.startsWith('throws: ')) expect(run).toThrow(c.want.slice(8));
      else expect(run()).toBe(c.want);
    });
  }
});

describe('parseQcow2Header', () => {
  const cases: { name: string; input: Uint8Array; want: string | object }[] = [
    {
      name: 'a plain version 3 header',
      input: qcow2Header(10n << 30n),
      want: { version: 3, virtualSizeBytes: 10 * 2 ** 30, clusterBits: 16 },
    },
    {
      name: 'version 2 (72-byte header)',
      input: qcow2Header(1n << 20n, (v) => v.setUint32(4, 2)).subarray(0, 72),
      want: { version: 2, virtualSizeBytes: 2 ** 20, clusterBits: 16 },
    },
    { name: 'version 4 does not exist', input: qcow2Header(1n, (v) => v.setUint32(4, 4)), want: 'version 4' },
    { name: 'a backing file', input: qcow2Header(1n << 20n, (v) => v.setBigUint64(8, 512n)), want: 'backing file' },
    { name: 'encryption', input: qcow2Header(1n << 20n, (v) => v.setUint32(32, 2)), want: 'encrypted' },
    { name: 'the corrupt bit', input: qcow2Header(1n << 20n, (v) => v.setBigUint64(72, 2n)), want: 'marked corrupt' },
    { name: 'the dirty bit', input: qcow2Header(1n << 20n, (v) => v.setBigUint64(72, 1n)), want: 'not closed cleanly' },
    {
      name: 'an external data file',
      input: qcow2Header(1n << 20n, (v) => v.setBigUint64(72, 4n)),
      want: 'external file',
    },
    {
      name: 'cluster_bits out of range',
      input: qcow2Header(1n << 20n, (v) => v.setUint32(20, 30)),
      want: 'cluster_bits 30',
    },
    { name: 'a zero virtual size', input: qcow2Header(0n), want: 'virtual size is 0' },
    { name: 'a truncated header', input: qcow2Header(1n).subarray(0, 40), want: 'header truncated' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.want === 'string') expect(() => parseQcow2Header(c.input, 'd.qcow2')).toThrow(`d.qcow2: qcow2 `);
      if (typeof c.want === 'string') expect(() => parseQcow2Header(c.input, 'd.qcow2')).toThrow(c.want);
      else expect(parseQcow2Header(c.input, 'd.qcow2')).toEqual(c.want);
    });
  }
});
