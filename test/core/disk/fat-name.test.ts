// FAT names: short-name generation, LFN slots and checksum, DOS dates.
import { describe, expect, it } from 'vitest';
import {
  checkLongName,
  dosDateTime,
  lfnChecksum,
  lfnPart,
  lfnSlots,
  makeShortName,
  shortNameText,
} from '../../../src/core/disk/fat-name.js';

const raw = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (r: Uint8Array) => String.fromCharCode(...r);

describe('makeShortName', () => {
  it.each([
    { name: 'an upper-case 8.3 name needs no LFN', input: 'SERVER', taken: [], want: 'SERVER     ', lfn: false },
    {
      name: 'a lower-case 8.3 name keeps its letters but needs an LFN',
      input: 'grub.cfg',
      taken: [],
      want: 'GRUB    CFG',
      lfn: true,
    },
    { name: 'a long name gets a ~1 tail', input: 'root-certificate.pem', taken: [], want: 'ROOT-C~1PEM', lfn: true },
    { name: 'a long extension is cut to three', input: 'global.json', taken: [], want: 'GLOBAL~1JSO', lfn: true },
    {
      name: 'a taken tail moves on to ~2',
      input: 'onboard.cert.pem',
      taken: ['ONBOAR~1PEM'],
      want: 'ONBOAR~2PEM',
      lfn: true,
    },
    { name: 'a taken exact name gets a tail', input: 'server', taken: ['SERVER     '], want: 'SERVER~1   ', lfn: true },
    { name: 'spaces and extra dots are dropped', input: 'a b.c.txt', taken: [], want: 'ABC~1   TXT', lfn: true },
    { name: 'characters outside 8.3 become _', input: 'x+y=z', taken: [], want: 'X_Y_Z~1    ', lfn: true },
    { name: 'a leading dot is stripped', input: '.hidden', taken: [], want: 'HIDDEN~1   ', lfn: true },
    {
      name: 'tails eat into the base at ~10',
      input: 'longfilename.txt',
      taken: Array.from({ length: 9 }, (_, i) => `LONGFI~${i + 1}TXT`),
      want: 'LONGF~10TXT',
      lfn: true,
    },
  ])('$name', ({ input, taken, want, lfn }) => {
    const got = makeShortName(input, new Set(taken));
    expect(text(got.raw)).toBe(want);
    expect(got.needsLfn).toBe(lfn);
  });
});

describe('shortNameText', () => {
  it.each([
    { name: 'base and extension', input: 'GRUB    CFG', nt: 0, want: 'GRUB.CFG' },
    { name: 'no extension', input: 'SERVER     ', nt: 0, want: 'SERVER' },
    {
      name: 'NT lower-case base and extension bits (mtools, Windows)',
      input: 'GRUB    CFG',
      nt: 0x18,
      want: 'grub.cfg',
    },
    { name: 'a 0x05 lead byte stands for 0xE5', input: '\x05ABC       ', nt: 0, want: '\xe5ABC' },
  ])('$name', ({ input, nt, want }) => expect(shortNameText(raw(input), nt)).toBe(want));
});

describe('LFN slots', () => {
  it('a 30-character name takes three slots, last first, with the 0x40 flag and one checksum', () => {
    const name = 'v2tlsbaseroot-certificates.pem';
    const sum = lfnChecksum(raw('V2TLSB~1PEM'));
    const slots = lfnSlots(name, sum);
    expect(slots.map((s) => s[0])).toEqual([0x43, 0x02, 0x01]);
    expect(slots.every((s) => s[11] === 0x0f && s[13] === sum)).toBe(true);
    expect(slots.map(lfnPart).reverse().join('')).toBe(name);
  });

  it('a name of exactly 13 characters has no terminator', () => {
    const [s] = lfnSlots('abcdefghijklm', 0);
    expect(lfnPart(s!)).toBe('abcdefghijklm');
    expect(s![30]).not.toBe(0xff);
  });

  it('checksum matches the value mtools wrote for ROOT-C~1.PEM in the fixture', () => {
    expect(lfnChecksum(raw('ROOT-C~1PEM'))).toBe(0xba);
  });
});

describe('checkLongName', () => {
  it.each(['', '.', '..', 'a/b', 'a:b', 'trailing.', 'trailing ', 'x'.repeat(256), 'tab\there'])('rejects %j', (n) =>
    expect(() => checkLongName(n)).toThrow(/not a valid FAT file name/),
  );
  it.each(['server', 'onboard.key.pem', 'wpa_supplicant.conf', 'origin.2026-01-01.15.11.0'])('accepts %j', (n) =>
    expect(() => checkLongName(n)).not.toThrow(),
  );
});

describe('dosDateTime', () => {
  it.each([
    { name: 'the FAT epoch', input: Date.UTC(1980, 0, 1), want: { date: 0x0021, time: 0 } },
    {
      name: 'seconds round down to even',
      input: Date.UTC(2026, 4, 17, 13, 45, 31),
      want: { date: (46 << 9) | (5 << 5) | 17, time: (13 << 11) | (45 << 5) | 15 },
    },
    { name: 'years before 1980 clamp', input: Date.UTC(1970, 0, 1), want: { date: 0x0021, time: 0 } },
  ])('$name', ({ input, want }) => expect(dosDateTime(new Date(input))).toEqual(want));
});
