import { describe, expect, it } from 'vitest';
import { addSpan, type Spans, spanBytes } from '../../../src/core/boot/progress.js';

describe('addSpan: the bytes of a file that went out, as a union of ranges', () => {
  const cases: { name: string; input: { spans: Spans; from: number; to: number }; want: Spans }[] = [
    { name: 'the first range', input: { spans: [], from: 0, to: 10 }, want: [[0, 10]] },
    { name: 'an empty range changes nothing', input: { spans: [[0, 10]], from: 5, to: 5 }, want: [[0, 10]] },
    {
      name: 'a disjoint later range is kept apart',
      input: { spans: [[0, 10]], from: 20, to: 30 },
      want: [
        [0, 10],
        [20, 30],
      ],
    },
    {
      name: 'a re-read inside what went out adds nothing',
      input: { spans: [[0, 10]], from: 2, to: 8 },
      want: [[0, 10]],
    },
    { name: 'an adjacent range merges', input: { spans: [[0, 10]], from: 10, to: 20 }, want: [[0, 20]] },
    {
      name: 'a backward seek that bridges two spans merges all three',
      input: {
        spans: [
          [0, 10],
          [20, 30],
        ],
        from: 5,
        to: 25,
      },
      want: [[0, 30]],
    },
    {
      name: 'an earlier range is sorted first',
      input: { spans: [[20, 30]], from: 0, to: 5 },
      want: [
        [0, 5],
        [20, 30],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(addSpan(c.input.spans, c.input.from, c.input.to)).toEqual(c.want);
    });
  }

  it('counts each byte once', () => {
    let s: Spans = [];
    for (let i = 0; i < 4; i++) s = addSpan(s, 0, 100);
    expect(spanBytes(addSpan(s, 150, 200))).toBe(150);
  });
});
