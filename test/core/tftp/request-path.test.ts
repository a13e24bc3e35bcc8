import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/tftp/packet.js';
import { decideRequest } from '../../../src/core/tftp/request.js';
import { confinePath } from '../../../src/core/tftp/request-path.js';

describe('confinePath', () => {
  const ok: Array<[string, string]> = [
    ['boot.ipxe', 'boot.ipxe'],
    ['machines/52-54-00-99-00-20.ipxe', 'machines/52-54-00-99-00-20.ipxe'],
    ['a//b/./c.efi', 'a/b/c.efi'],
    ['file..name', 'file..name'],
    ['100%.txt', '100%.txt'],
    // GRUB asks for its prefix from the root (grub-under-ipxe.md); a leading '/' is the boot root, never the host's.
    ['/EFI/BOOT/grub.cfg', 'EFI/BOOT/grub.cfg'],
    ['/etc/passwd', 'etc/passwd'],
  ];
  for (const [input, want] of ok)
    it(`accepts ${input}`, () => expect(confinePath(input)).toEqual({ kind: 'ok', path: want }));

  const refused: Array<[string, string]> = [
    ['../etc/passwd', "'..' in file name"],
    ['a/../../etc/hostname', "'..' in file name"],
    ['a/..', "'..' in file name"],
    ['//x/../y', "'..' in file name"],
    ['\\boot\\x86\\wdsnbp.com', 'backslash in file name'],
    ['..\\windows', 'backslash in file name'],
    ['a\0b', 'NUL in file name'],
    ['%2e%2e/etc/passwd', 'percent-encoded separator in file name'],
    ['..%2fetc%2fpasswd', 'percent-encoded separator in file name'],
    ['%252e%252e/x', 'percent-encoded separator in file name'],
    ['a%5cb', 'percent-encoded separator in file name'],
    ['C:/x', 'drive-letter path'],
    ['bad\nname', 'control character in file name'],
    ['', 'empty file name'],
    ['./', 'no file name'],
    ['/', 'no file name'],
  ];
  for (const [input, reason] of refused) {
    it(`refuses ${JSON.stringify(input)}`, () => expect(confinePath(input)).toEqual({ kind: 'refuse', reason }));
  }
});

describe('decideRequest', () => {
  it('ignores garbage', () => {
    expect(decideRequest({ kind: 'invalid', reason: 'too short (1 bytes)' })).toEqual({
      kind: 'ignore',
      reason: 'too short (1 bytes)',
    });
  });
  it('ignores an ACK on the request port', () => {
    expect(decideRequest({ kind: 'ack', block: 1 }).kind).toBe('ignore');
  });
  it('refuses a WRQ: the server is read-only', () => {
    expect(decideRequest({ kind: 'wrq', file: 'x', mode: 'octet', options: [] })).toEqual({
      kind: 'refuse',
      code: ErrorCode.AccessViolation,
      message: 'read-only server',
      requested: 'x',
    });
  });
  it('refuses netascii with ERROR 4', () => {
    const d = decideRequest({ kind: 'rrq', file: 'x', mode: 'netascii', options: [] });
    expect(d).toMatchObject({ kind: 'refuse', code: ErrorCode.IllegalOperation });
  });
  it('refuses traversal with ERROR 2', () => {
    const d = decideRequest({ kind: 'rrq', file: '../x', mode: 'octet', options: [] });
    expect(d).toMatchObject({ kind: 'refuse', code: ErrorCode.AccessViolation });
  });
  it('reads a confined path and passes the options on', () => {
    const d = decideRequest({ kind: 'rrq', file: 'a//b', mode: 'octet', options: [['tsize', '0']] });
    expect(d).toEqual({ kind: 'read', path: 'a/b', requested: 'a//b', options: [['tsize', '0']] });
  });
});
