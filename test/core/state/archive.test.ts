import { describe, expect, it } from 'vitest';
import {
  type ArchiveHeader,
  frameHeader,
  packFiles,
  parseFrame,
  unpackFiles,
  unsafePath,
} from '../../../src/core/state/archive.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('state archive layout', () => {
  it('files round-trip with their paths, modes and bytes (including empty and binary files)', () => {
    const files = [
      { path: 'pki/root.key.pem', mode: 0o600, data: bytes('-----BEGIN PRIVATE KEY-----') },
      { path: 'eveboot.db', mode: 0o644, data: new Uint8Array([0, 255, 0, 1]) },
      { path: 'records.jsonl', mode: 0o600, data: new Uint8Array() },
    ];
    const back = unpackFiles(packFiles(files));
    expect(back.map((f) => [f.path, f.mode, [...f.data]])).toEqual(files.map((f) => [f.path, f.mode, [...f.data]]));
  });

  const paths = [
    { name: 'a plain relative path is fine', input: 'keys/state.key', want: undefined },
    { name: 'an absolute path is refused', input: '/etc/passwd', want: 'absolute' },
    { name: 'a parent segment is refused', input: 'pki/../../etc/shadow', want: 'escapes' },
    { name: 'a dot segment is refused', input: './x', want: 'escapes' },
    { name: 'an empty segment is refused', input: 'a//b', want: 'escapes' },
    { name: 'a NUL is refused', input: 'a\0b', want: 'odd' },
    { name: 'an empty path is refused', input: '', want: 'empty' },
  ];
  for (const c of paths) {
    it(c.name, () => {
      const got = unsafePath(c.input);
      if (c.want === undefined) expect(got).toBeUndefined();
      else expect(got).toContain(c.want);
    });
  }

  it('a packed stream that names an escaping path is refused on unpack', () => {
    const good = packFiles([{ path: 'aa/bb', mode: 0o600, data: bytes('x') }]);
    const evil = good.slice();
    evil.set(bytes('..'), 2); // "aa/bb" becomes "../bb", same length
    expect(() => unpackFiles(evil)).toThrow(/escapes/);
  });

  const broken = [
    { name: 'truncated in a name', cut: 4 },
    { name: 'truncated in the data', cut: 20 },
    { name: 'missing the end marker', cut: 2 },
  ];
  for (const c of broken) {
    it(`${c.name} is refused, not half-read`, () => {
      const full = packFiles([{ path: 'eveboot.db', mode: 0o600, data: new Uint8Array(16) }]);
      const cut = c.name === 'missing the end marker' ? full.subarray(0, full.length - 2) : full.subarray(0, c.cut);
      expect(() => unpackFiles(cut)).toThrow(/truncated/);
    });
  }

  it('trailing bytes after the end marker are refused', () => {
    const full = packFiles([]);
    expect(() => unpackFiles(new Uint8Array([...full, 1]))).toThrow(/trailing/);
  });

  const header: ArchiveHeader = {
    kdf: { name: 'scrypt', N: 1024, r: 8, p: 1, salt: 'c2FsdA==' },
    cipher: { name: 'aes-256-gcm', iv: 'aXY=' },
    createdAt: '2026-12-06T00:00:00.000Z',
    site: 'demo',
    eveboot: '0.1.0',
    files: 2,
  };

  it('the header frame round-trips and splits off the body', () => {
    const head = frameHeader(header);
    const body = new Uint8Array(32).fill(7);
    const got = parseFrame(new Uint8Array([...head, ...body]));
    expect(got.header).toEqual(header);
    expect([...got.headerBytes]).toEqual([...head]);
    expect([...got.body]).toEqual([...body]);
  });

  const frames = [
    {
      name: 'another file is not taken for an archive',
      input: bytes('PK\u0003\u0004 a zip file, not ours'),
      want: /not an eveboot state archive/,
    },
    {
      name: 'a header longer than the file',
      input: (() => {
        const h = frameHeader(header);
        return h.subarray(0, h.length - 5);
      })(),
      want: /truncated/,
    },
    {
      name: 'an unknown cipher',
      input: new Uint8Array([
        ...frameHeader({ ...header, cipher: { name: 'rot13' as 'aes-256-gcm', iv: '' } }),
        ...new Uint8Array(16),
      ]),
      want: /unknown key derivation or cipher/,
    },
  ];
  for (const c of frames) {
    it(c.name, () => {
      expect(() => parseFrame(c.input)).toThrow(c.want);
    });
  }
});
