import { describe, expect, it } from 'vitest';
import {
  checkLayoutFile,
  childrenOf,
  type Descriptor,
  MEDIA,
  rootOfIndex,
  sha256Digest,
  walkImage,
} from '../../../src/core/workloads/oci-layout.js';
import { ociFixture, withFile } from '../../adapters/oci-fixture.js';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('oci-layout and index.json', () => {
  const layoutCases: { name: string; input: Uint8Array | undefined; want: string | undefined }[] = [
    { name: 'version 1.0.0 is accepted', input: enc({ imageLayoutVersion: '1.0.0' }), want: undefined },
    { name: 'a missing file is not an OCI layout', input: undefined, want: 'oci-layout: missing' },
    { name: 'another version is refused', input: enc({ imageLayoutVersion: '2.0.0' }), want: 'want "1.0.0"' },
    { name: 'garbage is not JSON', input: enc('{nope'), want: 'oci-layout: not JSON' },
  ];
  for (const c of layoutCases) {
    it(c.name, () => {
      if (c.want === undefined) expect(() => checkLayoutFile(c.input)).not.toThrow();
      else expect(() => checkLayoutFile(c.input)).toThrow(c.want);
    });
  }

  const desc = { mediaType: MEDIA.ociManifest, digest: D(1), size: 10 };
  const indexCases: { name: string; input: unknown; want: string | { refName?: string } }[] = [
    {
      name: 'one manifest with a ref name',
      input: {
        schemaVersion: 2,
        manifests: [{ ...desc, annotations: { 'org.opencontainers.image.ref.name': '1.0' } }],
      },
      want: { refName: '1.0' },
    },
    { name: 'one manifest without a ref name', input: { schemaVersion: 2, manifests: [desc] }, want: {} },
    { name: 'no manifests', input: { schemaVersion: 2, manifests: [] }, want: 'index.json: manifests: no image' },
    {
      name: 'two images are refused, naming both',
      input: {
        schemaVersion: 2,
        manifests: [desc, { ...desc, annotations: { 'org.opencontainers.image.ref.name': 'b' } }],
      },
      want: '2 images (#0, b)',
    },
    { name: 'schemaVersion 1', input: { schemaVersion: 1, manifests: [desc] }, want: 'schemaVersion 1, want 2' },
    {
      name: 'a sha512 digest',
      input: { schemaVersion: 2, manifests: [{ ...desc, digest: `sha512:${'a'.repeat(128)}` }] },
      want: 'index.json manifests[0]: digest sha512:',
    },
    {
      name: 'an upper-case digest',
      input: { schemaVersion: 2, manifests: [{ ...desc, digest: `sha256:${'A'.repeat(64)}` }] },
      want: 'is not sha256:<64 lower-case hex>',
    },
    {
      name: 'a negative size',
      input: { schemaVersion: 2, manifests: [{ ...desc, size: -1 }] },
      want: 'size must be a non-negative integer',
    },
    {
      name: 'a root that is a layer',
      input: { schemaVersion: 2, manifests: [{ ...desc, mediaType: 'application/vnd.oci.image.layer.v1.tar' }] },
      want: 'neither an image manifest nor an index',
    },
  ];
  for (const c of indexCases) {
    it(c.name, () => {
      if (typeof c.want === 'string') expect(() => rootOfIndex(enc(c.input))).toThrow(c.want);
      else expect(rootOfIndex(enc(c.input))).toEqual({ root: desc, ...c.want });
    });
  }
});

describe('manifests and the walk', () => {
  const f = ociFixture({ refName: 'v1' });
  const reader = (files = f.files) => {
    const byPath = new Map(files.map((x) => [x.path, x.data]));
    return { size: (p: string) => byPath.get(p)?.length, read: (p: string) => byPath.get(p)! };
  };
  const root: Descriptor = { mediaType: MEDIA.ociManifest, digest: f.manifestDigest, size: f.manifest.length };
  const mpath = `blobs/sha256/${f.manifestDigest.slice(7)}`;
  const lpath = `blobs/sha256/${f.layerDigest.slice(7)}`;

  const cases: { name: string; files: typeof f.files; root?: Descriptor; want: string | string[] }[] = [
    {
      name: 'a good image reaches manifest, config and layer',
      files: f.files,
      want: [f.manifestDigest, f.configDigest, f.layerDigest],
    },
    {
      name: 'a missing layer names who wanted it',
      files: withFile(f.files, lpath, undefined),
      want: `${lpath}: missing (named by ${mpath} layers[0])`,
    },
    {
      name: 'a truncated layer',
      files: withFile(f.files, lpath, new Uint8Array(3)),
      want: `${lpath}: 3 bytes, but ${mpath} layers[0] says`,
    },
    {
      name: 'a manifest whose bytes do not hash to its name',
      files: withFile(
        f.files,
        mpath,
        f.manifest.map((b) => (b === 0x61 ? 0x62 : b)),
      ),
      want: `${mpath}: content hashes to sha256:`,
    },
    {
      name: 'a missing root manifest',
      files: withFile(f.files, mpath, undefined),
      want: `${mpath}: missing (named by index.json manifests[0])`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = () => walkImage(c.root ?? root, reader(c.files)).map((d) => d.digest);
      if (typeof c.want === 'string') expect(run).toThrow(c.want);
      else expect(run()).toEqual(c.want);
    });
  }

  it('an index reaches its child manifests and their blobs, each once', () => {
    const index = enc({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [root, root] });
    const files = [...f.files, { path: `blobs/sha256/${sha256Digest(index).slice(7)}`, data: index }];
    const top = { mediaType: MEDIA.ociIndex, digest: sha256Digest(index), size: index.length };
    expect(walkImage(top, reader(files)).map((d) => d.digest)).toEqual([
      top.digest,
      f.manifestDigest,
      f.configDigest,
      f.layerDigest,
    ]);
  });

  const manifestCases: { name: string; input: unknown; want: string }[] = [
    {
      name: 'a manifest whose mediaType contradicts its descriptor',
      input: { schemaVersion: 2, mediaType: MEDIA.ociIndex, config: {}, layers: [] },
      want: 'but its descriptor says',
    },
    {
      name: 'a manifest without layers',
      input: { schemaVersion: 2, config: { mediaType: 'x', digest: D(2), size: 1 } },
      want: 'layers must be a list',
    },
    {
      name: 'a manifest without config',
      input: { schemaVersion: 2, layers: [] },
      want: 'm config: not a descriptor object',
    },
    {
      name: 'a layer without digest',
      input: {
        schemaVersion: 2,
        config: { mediaType: 'x', digest: D(2), size: 1 },
        layers: [{ mediaType: 'y', size: 1 }],
      },
      want: 'm layers[0]: digest missing',
    },
  ];
  for (const c of manifestCases) {
    it(c.name, () => {
      expect(() => childrenOf({ mediaType: MEDIA.ociManifest, digest: D(1), size: 1 }, enc(c.input), 'm')).toThrow(
        c.want,
      );
    });
  }
});
