import { describe, expect, it } from 'vitest';
import { contentTypeOf, notModified, parseRange } from '../../../src/core/boot/range.js';

describe('parseRange (RFC 9110 §14)', () => {
  const size = 1000;
  const table = [
    { name: 'no header means the whole file', input: undefined, want: { kind: 'full' } },
    { name: 'a closed range', input: 'bytes=0-99', want: { kind: 'partial', start: 0, end: 99 } },
    { name: 'an open range runs to the end', input: 'bytes=900-', want: { kind: 'partial', start: 900, end: 999 } },
    {
      name: 'a suffix range is the last N bytes',
      input: 'bytes=-100',
      want: { kind: 'partial', start: 900, end: 999 },
    },
    {
      name: 'a suffix longer than the file is the file',
      input: 'bytes=-5000',
      want: { kind: 'partial', start: 0, end: 999 },
    },
    {
      name: 'an end past the file is clamped',
      input: 'bytes=990-5000',
      want: { kind: 'partial', start: 990, end: 999 },
    },
    { name: 'a start at the size is unsatisfiable', input: 'bytes=1000-', want: { kind: 'unsatisfiable' } },
    { name: 'a zero-length suffix is unsatisfiable', input: 'bytes=-0', want: { kind: 'unsatisfiable' } },
    { name: 'several ranges are answered in full', input: 'bytes=0-1,5-6', want: { kind: 'full' } },
    { name: 'another unit is ignored', input: 'items=0-1', want: { kind: 'full' } },
    { name: 'end before start is ignored', input: 'bytes=50-10', want: { kind: 'full' } },
    { name: 'garbage is ignored', input: 'bytes=abc', want: { kind: 'full' } },
  ];
  for (const t of table) it(t.name, () => expect(parseRange(t.input, size)).toEqual(t.want));
});

describe('validators and types', () => {
  it('If-None-Match matches strong, weak, lists and *', () => {
    expect(notModified('"abc"', '"abc"')).toBe(true);
    expect(notModified('W/"abc"', '"abc"')).toBe(true);
    expect(notModified('"x", "abc"', '"abc"')).toBe(true);
    expect(notModified('*', '"abc"')).toBe(true);
    expect(notModified('"x"', '"abc"')).toBe(false);
    expect(notModified(undefined, '"abc"')).toBe(false);
  });
  it('content types follow the boot file names', () => {
    expect(contentTypeOf('installer.iso')).toBe('application/x-iso9660-image');
    expect(contentTypeOf('EFI/BOOT/BOOTX64.EFI')).toBe('application/efi');
    expect(contentTypeOf('EFI/BOOT/grub.cfg')).toMatch(/^text\/plain/);
    expect(contentTypeOf('vmlinuz')).toBe('application/octet-stream');
  });
});
