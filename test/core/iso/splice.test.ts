import { describe, expect, it } from 'vitest';
import { type Piece, splicePieces } from '../../../src/core/iso/splice.js';

const patch = { offset: 100, size: 50 }; // bytes 100..149 replaced

const cases: { name: string; input: [number, number]; want: Piece[] }[] = [
  {
    name: 'the whole file: before, the patch, after',
    input: [0, 999],
    want: [
      { from: 'file', start: 0, end: 99 },
      { from: 'patch', start: 0, end: 49 },
      { from: 'file', start: 150, end: 999 },
    ],
  },
  { name: 'a range entirely before the patch', input: [0, 99], want: [{ from: 'file', start: 0, end: 99 }] },
  { name: 'a range entirely after the patch', input: [150, 200], want: [{ from: 'file', start: 150, end: 200 }] },
  { name: 'exactly the patch', input: [100, 149], want: [{ from: 'patch', start: 0, end: 49 }] },
  { name: 'one byte inside the patch', input: [120, 120], want: [{ from: 'patch', start: 20, end: 20 }] },
  {
    name: 'a range ending inside the patch',
    input: [90, 109],
    want: [
      { from: 'file', start: 90, end: 99 },
      { from: 'patch', start: 0, end: 9 },
    ],
  },
  {
    name: 'a range starting inside the patch',
    input: [140, 160],
    want: [
      { from: 'patch', start: 40, end: 49 },
      { from: 'file', start: 150, end: 160 },
    ],
  },
  { name: 'the last byte before the patch', input: [99, 99], want: [{ from: 'file', start: 99, end: 99 }] },
  { name: 'the first byte after the patch', input: [150, 150], want: [{ from: 'file', start: 150, end: 150 }] },
  { name: 'an empty range', input: [5, 4], want: [] },
];

describe('splicePieces', () => {
  for (const c of cases) it(c.name, () => expect(splicePieces(c.input[0], c.input[1], patch)).toEqual(c.want));
});
