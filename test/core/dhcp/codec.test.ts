import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket, getOption } from '../../../src/core/dhcp/codec.js';
import { describePacket } from '../../../src/core/dhcp/describe.js';
import { OptionCode } from '../../../src/core/dhcp/options.js';
import { readPcapDhcp } from '../../fixtures/pcap-reader.js';
import { expectGoldenFile } from '../../support/golden-file.js';
import { fixtureNames, fixturePath, mustDecode } from './fixtures.js';

const goldenDir = join(import.meta.dirname, 'golden');

describe('codec on captured packets', () => {
  for (const name of fixtureNames) {
    const dgrams = readPcapDhcp(fixturePath(name));

    it(`${name}: decoded text matches the golden file`, () => {
      const text = dgrams
        .map(
          (d) =>
            `# packet ${d.index} ${d.srcIp}:${d.srcPort} -> ${d.dstIp}:${d.dstPort}\n${describePacket(mustDecode(d.payload))}`,
        )
        .join('\n');
      expectGoldenFile(join(goldenDir, `${name}.txt`), text);
    });

    it(`${name}: encode(decode(x)) gives back the same bytes`, () => {
      for (const d of dgrams) {
        expect(Buffer.from(encodePacket(mustDecode(d.payload), d.payload.length))).toEqual(Buffer.from(d.payload));
      }
    });
  }
});

describe('codec edge cases', () => {
  const base = readPcapDhcp(fixturePath('bios-ipxe-rom'))[0]!.payload;

  it('every truncation of a real DISCOVER is either a packet or a typed error, never a throw', () => {
    for (let len = 0; len <= base.length; len++) {
      const r = decodePacket(base.subarray(0, len));
      if (len < 240) expect(r.kind).toBe('malformed');
      else expect(['packet', 'malformed']).toContain(r.kind);
    }
  });

  it('seeded random garbage never throws and round-trips when it decodes', () => {
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    for (let i = 0; i < 3000; i++) {
      const buf = Uint8Array.from({ length: next() % 600 }, () => next() & 255);
      if (i % 2 === 0 && buf.length > 244) {
        buf.set([1, 1, 6, 0], 0);
        buf.set([99, 130, 83, 99], 236);
      }
      const r = decodePacket(buf);
      if (r.kind === 'packet') expect(decodePacket(encodePacket(r.packet)).kind).toBe('packet');
    }
  });

  const cases = [
    {
      name: 'a packet without the magic cookie is plain BOOTP',
      edit: (b: Uint8Array) => b.set([0, 0, 0, 0], 236),
      want: /cookie/,
    },
    { name: 'an op that is neither request nor reply is refused', edit: (b: Uint8Array) => (b[0] = 7), want: /op 7/ },
    {
      name: 'an option longer than the packet is refused',
      edit: (b: Uint8Array) => b.set([53, 250], 240),
      want: /claims 250/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = base.slice();
      c.edit(b);
      const r = decodePacket(b);
      expect(r.kind).toBe('malformed');
      if (r.kind === 'malformed') expect(r.reason).toMatch(c.want);
    });
  }

  it('pad bytes between options are skipped', () => {
    const b = new Uint8Array(300);
    b.set([1, 1, 6, 0], 0);
    b.set([99, 130, 83, 99, 0, 0, 53, 1, 1, 0, 255], 236);
    const p = mustDecode(b);
    expect(p.options).toEqual([{ code: 53, data: Uint8Array.of(1) }]);
  });

  it('option overload (52) reads options from file and then sname, and re-encodes them there', () => {
    const b = new Uint8Array(300);
    b.set([1, 1, 6, 0], 0);
    b.set([67, 4, ...Buffer.from('a.pxe'.slice(0, 4)), 255], 108); // file field
    b.set([12, 2, 104, 49, 255], 44); // sname field: host-name "h1"
    b.set([99, 130, 83, 99, 53, 1, 1, 52, 1, 3, 255], 236);
    const p = mustDecode(b);
    expect(p.options.map((o) => [o.code, o.section ?? 'options'])).toEqual([
      [53, 'options'],
      [52, 'options'],
      [67, 'file'],
      [12, 'sname'],
    ]);
    expect(p.file).toBe('');
    expect(Buffer.from(encodePacket(p))).toEqual(Buffer.from(b));
  });

  it('long options are split on encode and concatenated on read (RFC 3396)', () => {
    const p = mustDecode(base);
    p.options.push({ code: OptionCode.VendorSpecific, data: new Uint8Array(300).fill(7) });
    const again = mustDecode(encodePacket(p));
    expect(again.options.filter((o) => o.code === OptionCode.VendorSpecific).map((o) => o.data.length)).toEqual([
      255, 45,
    ]);
    expect(getOption(again, OptionCode.VendorSpecific)?.length).toBe(300);
  });
});
