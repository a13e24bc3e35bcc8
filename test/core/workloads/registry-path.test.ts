import { describe, expect, it } from 'vitest';
import { imageNameOf, parseRegistryPath } from '../../../src/core/workloads/registry-path.js';
import { addServed, restartPart, type ServedImage } from '../../../src/core/workloads/served-progress.js';

const DG = `sha256:${'c'.repeat(64)}`;

describe('parseRegistryPath', () => {
  const cases: { name: string; input: string; want: object }[] = [
    { name: 'the base endpoint', input: '', want: { kind: 'base' } },
    {
      name: 'a manifest by tag',
      input: 'eveboot/web/manifests/1.0',
      want: { kind: 'manifest', repo: 'eveboot/web', ref: { tag: '1.0' } },
    },
    {
      name: 'a manifest by digest',
      input: `eveboot/web/manifests/${DG}`,
      want: { kind: 'manifest', repo: 'eveboot/web', ref: { digest: DG } },
    },
    { name: 'a blob', input: `eveboot/web/blobs/${DG}`, want: { kind: 'blob', repo: 'eveboot/web', digest: DG } },
    { name: 'the tag list', input: 'eveboot/web/tags/list', want: { kind: 'tags', repo: 'eveboot/web' } },
    {
      name: 'a sha512 manifest',
      input: `eveboot/web/manifests/sha512:${'a'.repeat(128)}`,
      want: { kind: 'unknown', code: 'MANIFEST_UNKNOWN' },
    },
    {
      name: 'a bad blob digest',
      input: 'eveboot/web/blobs/sha256:xyz',
      want: { kind: 'unknown', code: 'BLOB_UNKNOWN' },
    },
    { name: 'a blob upload', input: 'eveboot/web/blobs/uploads/', want: { kind: 'unknown', code: 'NAME_UNKNOWN' } },
    { name: 'the catalog', input: '_catalog', want: { kind: 'unknown', code: 'NAME_UNKNOWN' } },
  ];
  for (const c of cases) it(c.name, () => expect(parseRegistryPath(c.input)).toMatchObject(c.want));

  const names: { name: string; input: string; want: string | undefined }[] = [
    { name: 'our namespace', input: 'eveboot/web', want: 'web' },
    { name: 'another namespace', input: 'library/web', want: undefined },
    { name: 'a nested name', input: 'eveboot/a/b', want: undefined },
    { name: 'the bare namespace', input: 'eveboot/', want: undefined },
  ];
  for (const c of names) it(`imageNameOf: ${c.name}`, () => expect(imageNameOf(c.input, 'eveboot')).toBe(c.want));
});

describe('served progress', () => {
  const start: ServedImage = { parts: new Map(), total: 1000 };
  type Step = [part: string, from: number, n: number];
  const run = (steps: Step[]) => {
    let s = start;
    const reports: number[] = [];
    for (const [part, from, n] of steps) {
      const r = addServed(s, part, from, n);
      s = r.next;
      if (r.report !== undefined) reports.push(r.report);
    }
    return reports;
  };
  const cases: { name: string; input: Step[]; want: number[] }[] = [
    {
      name: 'the first byte, then every 10 %',
      input: [
        ['d', 0, 1],
        ['d', 1, 49],
        ['d', 50, 60],
        ['d', 110, 890],
      ],
      want: [0, 11, 100],
    },
    {
      name: 'many small chunks give one event per step',
      input: Array.from({ length: 100 }, (_, i): Step => ['d', i * 10, 10]),
      want: [1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    },
    {
      name: 'a resumed range counts re-sent bytes once',
      input: [
        ['d', 0, 500],
        ['d', 400, 200],
        ['d', 0, 500],
      ],
      want: [50, 60],
    },
    {
      name: 'blobs of one image add up',
      input: [
        ['a', 0, 300],
        ['b', 0, 300],
        ['c', 0, 400],
      ],
      want: [30, 60, 100],
    },
    { name: 'nothing served, nothing reported', input: [['d', 0, 0]], want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(run(c.input)).toEqual(c.want));

  it('a whole-file request starts that file over and reports again', () => {
    let s = addServed(start, 'd', 0, 1000).next;
    s = restartPart(s, 'd');
    const r = addServed(s, 'd', 0, 100);
    expect(r.report).toBe(10);
  });
});
