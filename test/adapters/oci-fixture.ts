// A small but real OCI image layout built by hand (image-spec layout.md): one gzip'd tar layer, an image config
// whose diff_ids match it, an image manifest, index.json naming it with a ref name, and oci-layout. As files (for
// makeTar, an `oci:` directory for skopeo) or as a tar (what `skopeo copy … oci-archive:` writes).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MEDIA } from '../../src/core/workloads/oci-layout.js';
import { makeTar, patternBytes } from './boot-fixture.js';

export interface LayoutFile {
  path: string;
  data: Uint8Array;
}

export interface OciFixture {
  files: LayoutFile[];
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  manifest: Uint8Array;
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const digestOf = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blob = (b: Uint8Array) => ({ path: `blobs/sha256/${digestOf(b).slice(7)}`, data: b });

export function ociFixture(o: { refName?: string; seed?: number; layerBytes?: number } = {}): OciFixture {
  const rootfs = makeTar([{ path: 'hello.txt', data: patternBytes(o.layerBytes ?? 3000, o.seed ?? 7) }]);
  const layer = new Uint8Array(gzipSync(rootfs));
  const config = enc({
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/hello'] },
    rootfs: { type: 'layers', diff_ids: [digestOf(rootfs)] },
  });
  const manifest = enc({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
  });
  const annotations =
    o.refName === undefined ? {} : { annotations: { 'org.opencontainers.image.ref.name': o.refName } };
  const index = enc({
    schemaVersion: 2,
    manifests: [{ mediaType: MEDIA.ociManifest, digest: digestOf(manifest), size: manifest.length, ...annotations }],
  });
  return {
    files: [
      { path: 'oci-layout', data: enc({ imageLayoutVersion: '1.0.0' }) },
      { path: 'index.json', data: index },
      blob(manifest),
      blob(config),
      blob(layer),
    ],
    manifestDigest: digestOf(manifest),
    configDigest: digestOf(config),
    layerDigest: digestOf(layer),
    manifest,
  };
}

/** The fixture's image behind an image index that names its platform, as `skopeo copy --all` keeps it. */
export function ociIndexFixture(refName: string): OciFixture & { indexDigest: string } {
  const f = ociFixture({ refName, seed: 21 });
  const index = enc({
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [
      {
        mediaType: MEDIA.ociManifest,
        digest: f.manifestDigest,
        size: f.manifest.length,
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
  });
  const top = enc({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: MEDIA.ociIndex,
        digest: digestOf(index),
        size: index.length,
        annotations: { 'org.opencontainers.image.ref.name': refName },
      },
    ],
  });
  const files = [...f.files.filter((x) => x.path !== 'index.json'), { path: 'index.json', data: top }, blob(index)];
  return { ...f, files, indexDigest: digestOf(index) };
}

export function writeLayoutTar(path: string, files: LayoutFile[]): string {
  writeFileSync(path, makeTar(files));
  return path;
}

export function writeLayoutDir(dir: string, files: LayoutFile[]): string {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.data);
  }
  return dir;
}

/** The fixture with one file's bytes replaced (or removed with `undefined`). */
export function withFile(files: LayoutFile[], path: string, data: Uint8Array | undefined): LayoutFile[] {
  return files.flatMap((f) => (f.path !== path ? [f] : data === undefined ? [] : [{ path, data }]));
}

/** A minimal qcow2 version 3 header (QEMU docs/interop/qcow2.txt) for a disk of `virtualSize` bytes. */
export function qcow2Header(virtualSize: bigint, patch: (v: DataView) => void = () => {}): Uint8Array {
  const b = new Uint8Array(512);
  const v = new DataView(b.buffer);
  b.set([0x51, 0x46, 0x49, 0xfb]);
  v.setUint32(4, 3);
  v.setUint32(20, 16); // 64 KiB clusters
  v.setBigUint64(24, virtualSize);
  v.setUint32(96, 4); // refcount_order
  v.setUint32(100, 104); // header_length
  patch(v);
  return b;
}
