import { describe, expect, it } from 'vitest';
import { decodePacket, ErrorCode, encodePacket, type Packet } from '../../../src/core/tftp/packet.js';

const bytes = (...parts: Array<number[] | string>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('decodePacket', () => {
  const cases: Array<{ name: string; input: Uint8Array; want: ReturnType<typeof decodePacket> }> = [
    {
      name: 'an RRQ with options lower-cases names and keeps values',
      input: bytes([0, 1], 'boot.ipxe', [0], 'OCTET', [0], 'BlkSize', [0], '1432', [0], 'tsize', [0], '0', [0]),
      want: {
        kind: 'rrq',
        file: 'boot.ipxe',
        mode: 'octet',
        options: [
          ['blksize', '1432'],
          ['tsize', '0'],
        ],
      },
    },
    {
      name: 'a WRQ without options',
      input: bytes([0, 2], 'up.bin', [0], 'octet', [0]),
      want: { kind: 'wrq', file: 'up.bin', mode: 'octet', options: [] },
    },
    { name: 'an ACK', input: bytes([0, 4, 0xff, 0xff]), want: { kind: 'ack', block: 65535 } },
    { name: 'a padded ACK still decodes', input: bytes([0, 4, 0, 7, 0, 0]), want: { kind: 'ack', block: 7 } },
    {
      name: 'a DATA packet with an empty payload (final block of an exact multiple)',
      input: bytes([0, 3, 0, 2]),
      want: { kind: 'data', block: 2, data: new Uint8Array(0) },
    },
    {
      name: "OVMF's ERROR 8 after the tsize probe",
      input: bytes([0, 5, 0, 8], 'User aborted the transfer', [0]),
      want: { kind: 'error', code: ErrorCode.OptionRefused, message: 'User aborted the transfer' },
    },
    {
      name: 'an ERROR without its NUL terminator is tolerated',
      input: bytes([0, 5, 0, 1], 'nope'),
      want: { kind: 'error', code: 1, message: 'nope' },
    },
    {
      name: 'an OACK',
      input: bytes([0, 6], 'blksize', [0], '1468', [0], 'tsize', [0], '20480', [0]),
      want: {
        kind: 'oack',
        options: [
          ['blksize', '1468'],
          ['tsize', '20480'],
        ],
      },
    },
    {
      name: 'a 3-byte datagram is invalid',
      input: bytes([0, 1, 65]),
      want: { kind: 'invalid', reason: 'too short (3 bytes)' },
    },
    {
      name: 'an unknown opcode is invalid',
      input: bytes([0, 9, 0, 0]),
      want: { kind: 'invalid', reason: 'unknown opcode 9' },
    },
    {
      name: 'an RRQ whose mode is not NUL-terminated is invalid',
      input: bytes([0, 1], 'f', [0], 'octet'),
      want: { kind: 'invalid', reason: 'request without NUL-terminated file and mode' },
    },
    {
      name: 'an RRQ with an option name but no value is invalid',
      input: bytes([0, 1], 'f', [0], 'octet', [0], 'tsize', [0]),
      want: { kind: 'invalid', reason: 'embedded NUL or option name without value', request: { file: 'f' } },
    },
  ];
  for (const c of cases) it(c.name, () => expect(decodePacket(c.input)).toEqual(c.want));

  it('never throws on random garbage', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const buf = Uint8Array.from({ length: rand() % 64 }, () => rand() & 0xff);
      if (i % 3 === 0 && buf.length > 1) buf[1] = 1 + (rand() % 6);
      if (buf.length > 0) buf[0] = 0;
      expect(() => decodePacket(buf)).not.toThrow();
    }
  });
});

describe('encodePacket round trips', () => {
  const packets: Packet[] = [
    {
      kind: 'rrq',
      file: 'snponly.efi',
      mode: 'octet',
      options: [
        ['tsize', '0'],
        ['blksize', '1468'],
        ['windowsize', '4'],
      ],
    },
    { kind: 'wrq', file: 'x', mode: 'octet', options: [] },
    { kind: 'data', block: 65535, data: Uint8Array.from([1, 2, 3]) },
    { kind: 'data', block: 0, data: new Uint8Array(0) },
    { kind: 'ack', block: 0 },
    { kind: 'ack', block: 4242 },
    { kind: 'error', code: ErrorCode.UnknownTid, message: 'unknown transfer ID' },
    { kind: 'error', code: ErrorCode.NotDefined, message: '' },
    {
      kind: 'oack',
      options: [
        ['blksize', '1432'],
        ['tsize', '20000'],
      ],
    },
    { kind: 'oack', options: [] },
  ];
  for (const p of packets) {
    it(`${p.kind} ${JSON.stringify(p).slice(0, 60)}`, () => {
      const wire = encodePacket(p);
      expect(decodePacket(wire)).toEqual(p);
      expect(encodePacket(decodePacket(wire) as Packet)).toEqual(wire);
    });
  }

  it('encodes block numbers modulo 65536', () => {
    expect([...encodePacket({ kind: 'ack', block: 65536 + 3 })]).toEqual([0, 4, 0, 3]);
  });
});
