import { describe, expect, it } from 'vitest';
import { addBytes, type Download, viewDownload } from '../../../src/core/progress/download.js';

describe('viewDownload', () => {
  const cases: { name: string; input: [string, number, number, number][]; want: object }[] = [
    {
      name: 'one sample has progress but no rate yet',
      input: [['k', 100, 1000, 0]],
      want: { bytes: 100, total: 1000, percent: 10, files: 1 },
    },
    {
      name: 'rate and ETA come from the byte events and their timestamps',
      input: [
        ['k', 0, 1000, 0],
        ['k', 500, 1000, 1000],
      ],
      want: { bytes: 500, total: 1000, percent: 50, rateBps: 500, etaMs: 1000 },
    },
    {
      name: 'several files add up: kernel done, initrd half way',
      input: [
        ['kernel', 0, 100, 0],
        ['kernel', 100, 100, 1000],
        ['initrd', 0, 300, 1000],
        ['initrd', 150, 300, 2000],
      ],
      want: { bytes: 250, total: 400, percent: 62.5, rateBps: 125, etaMs: 1200, files: 2 },
    },
    {
      name: 'a counter going backwards (a retried range) does not lose progress',
      input: [
        ['k', 600, 1000, 0],
        ['k', 100, 1000, 10],
      ],
      want: { bytes: 600 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let d: Download = {};
      for (const [p, b, t, at] of c.input) d = addBytes(d, p, b, t, at);
      expect(viewDownload(d)).toMatchObject(c.want);
    });
  }
});
