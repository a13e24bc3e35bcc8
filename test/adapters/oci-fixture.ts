// A small but real OCI image layout built by hand (image-spec layout.md): one gzip'd tar layer, an image config
// whose diff_ids match it, an image manifest, index.json naming it with a ref name, and oci-layout. As files (for
// makeTar, an `oci:` directory for skopeo) or as a tar (what `skopeo copy … oci-archive:` writes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MEDIA } from '../../src/core/workloads/oci-layout.js';
import { blobFile, digestOf, type LayoutFile, type OciImage, ociImage } from '../../src/sim/oci-image.js';
import { makeTar, patternBytes } from './boot-fixture.js';

export type { LayoutFile } from '../../src/sim/oci-image.js';
export type OciFixture = OciImage;

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

export function ociFixture(o: { refName?: string; seed?: number; layerBytes?: number } = {}): OciFixture {
  const rootfs = makeTar([{ path: 'hello.txt', data: patternBytes(o.layerBytes ?? 3000, o.seed ?? 7) }]);
  return ociImage({ rootfs, cmd: ['/hello'], ...(o.refName === undefined ? {} : { refName: o.refName }) });
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
  const files = [...f.files.filter((x) => x.path !== 'index.json'), { path: 'index.json', data: top }, blobFile(index)];
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
