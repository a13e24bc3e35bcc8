// Mutated OCI layouts, manifests, qcow2 headers and registry paths through the import's and the registry's pure
// decisions: every refusal is a coded EvebootError naming what is wrong, never a crash; a valid image still walks.
import { describe, expect, it } from 'vitest';
import { EvebootError } from '../../src/core/errors.js';
import { parseQcow2Header, sniffKind } from '../../src/core/workloads/disk-image.js';
import { MEDIA, rootOfIndex, walkImage } from '../../src/core/workloads/oci-layout.js';
import { parseRegistryPath } from '../../src/core/workloads/registry-path.js';
import { ociFixture, qcow2Header } from '../adapters/oci-fixture.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s;
  };
}

function mutate(base: Uint8Array, r: () => number): Uint8Array {
  const kind = r() % 3;
  if (kind === 0) return base.subarray(0, r() % (base.length + 1));
  const out = Uint8Array.from(base);
  // JSON stays interesting when printable bytes are swapped for structural ones.
  const pool = kind === 1 ? [0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x30, 0x2d, 0x61] : [];
  for (let i = 0, n = 1 + (r() % 6); i < n; i++) {
    out[r() % out.length] = pool.length > 0 ? pool[r() % pool.length]! : r() & 255;
  }
  return out;
}

/** Runs f; anything thrown must be a coded refusal with a `where: what` message. */
function refusesCleanly(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (!(e instanceof EvebootError) || !/^[^:]+: ./.test(e.message)) throw e;
    return false;
  }
}

describe('workload inputs under mutation', () => {
  const fx = ociFixture({ refName: 'v1' });
  const files = new Map(fx.files.map((f) => [f.path, f.data]));
  const root = { mediaType: MEDIA.ociManifest, digest: fx.manifestDigest, size: fx.manifest.length };

  it('20,000 mutated index.json and manifests are refused with a coded error or walk', () => {
    const r = rng(13);
    let walked = 0;
    for (let i = 0; i < 20_000; i++) {
      const target = i % 2 === 0 ? 'index.json' : `blobs/sha256/${fx.manifestDigest.slice(7)}`;
      const bytes = mutate(files.get(target)!, r);
      const layout = {
        size: (p: string) => (p === target ? bytes.length : files.get(p)?.length),
        read: (p: string) => (p === target ? bytes : files.get(p)!),
      };
      if (target === 'index.json') refusesCleanly(() => rootOfIndex(bytes));
      else if (refusesCleanly(() => walkImage(root, layout)) && !Buffer.from(bytes).equals(files.get(target)!))
        walked++;
    }
    // A changed manifest no longer hashes to its digest: none may slip through.
    expect(walked).toBe(0);
    expect(walkImage(root, { size: (p) => files.get(p)?.length, read: (p) => files.get(p)! })).toHaveLength(3);
  });

  it('20,000 mutated qcow2 headers and sniffs never crash', () => {
    const r = rng(17);
    const base = qcow2Header(1n << 30n);
    for (let i = 0; i < 20_000; i++) {
      const head = mutate(base, r);
      refusesCleanly(() => sniffKind(head, head.length, 'f'));
      refusesCleanly(() => parseQcow2Header(head, 'f'));
    }
  });

  it('20,000 random registry paths are decided without throwing', () => {
    const r = rng(19);
    const parts = [
      'eveboot',
      'web',
      'manifests',
      'blobs',
      'tags',
      'list',
      'uploads',
      fx.layerDigest,
      'sha256:',
      '..',
      '',
      '1.0',
    ];
    const kinds = new Set<string>();
    const pick = () => parts[(r() >>> 16) % parts.length];
    for (let i = 0; i < 20_000; i++) {
      const path = Array.from({ length: (r() >>> 16) % 5 }, pick).join('/');
      kinds.add(parseRegistryPath(i % 2 === 0 ? path : `eveboot/${pick()}/${pick()}/${pick()}`).kind);
    }
    expect([...kinds].sort()).toEqual(['base', 'blob', 'manifest', 'tags', 'unknown']);
  });
});
