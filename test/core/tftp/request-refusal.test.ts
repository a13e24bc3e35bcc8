// Requests a boot client must hear ERROR 4 for (not silence, which leaves it retrying into a timeout).
import { describe, expect, it } from 'vitest';
import { decodePacket, ErrorCode } from '../../../src/core/tftp/packet.js';
import { decideRequest } from '../../../src/core/tftp/request.js';

const rrq = (...parts: string[]) =>
  Uint8Array.from(`\0\x01${parts.map((p) => `${p}\0`).join('')}`, (c) => c.charCodeAt(0));

describe('decideRequest on raw RRQ bytes', () => {
  const cases: { name: string; input: Uint8Array; want: { kind: string; code?: ErrorCode; message?: RegExp } }[] = [
    { name: 'octet is read', input: rrq('boot.ipxe', 'octet'), want: { kind: 'read' } },
    {
      name: 'OCTET in capitals is read (modes are case-insensitive)',
      input: rrq('boot.ipxe', 'OCTET'),
      want: { kind: 'read' },
    },
    {
      name: 'netascii gets ERROR 4',
      input: rrq('boot.ipxe', 'netascii'),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation, message: /netascii/ },
    },
    {
      name: 'mail (RFC 1350, obsolete) gets ERROR 4',
      input: rrq('boot.ipxe', 'mail'),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation },
    },
    {
      name: 'an unknown mode gets ERROR 4',
      input: rrq('boot.ipxe', 'binary'),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation },
    },
    {
      name: 'an empty mode gets ERROR 4',
      input: rrq('boot.ipxe', ''),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation },
    },
    {
      name: 'a name with one embedded NUL (odd string count) gets ERROR 4',
      input: rrq('boot', '.ipxe', 'octet'),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation, message: /embedded NUL/ },
    },
    {
      name: 'a name with two embedded NULs turns the next piece into the mode: ERROR 4',
      input: rrq('a', 'b', 'c', 'octet'),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation },
    },
    {
      name: 'an option without its value gets ERROR 4',
      input: rrq('boot.ipxe', 'octet', 'tsize'),
      want: { kind: 'refuse', code: ErrorCode.IllegalOperation },
    },
    {
      name: 'a request without a NUL-terminated mode has no name to answer: ignored',
      input: Uint8Array.from('\0\x01f\0oct', (c) => c.charCodeAt(0)),
      want: { kind: 'ignore' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideRequest(decodePacket(c.input));
      expect(d.kind).toBe(c.want.kind);
      if (d.kind === 'refuse') {
        expect(d.code).toBe(c.want.code);
        if (c.want.message) expect(d.message).toMatch(c.want.message);
      }
    });
  }
});
