// A small but real OCI image layout (image-spec layout.md): one gzip'd tar layer, an image config whose diff_ids
// match it, an image manifest, index.json naming it (with a ref name when given) and oci-layout. The demo's
// container image is one; tests build theirs with it too.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MEDIA } from '../core/workloads/oci-layout.js';

export interface LayoutFile {
  path: string;
  data: Uint8Array;
}

export interface OciImage {
  files: LayoutFile[];
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  manifest: Uint8Array;
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
export const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const blobFile = (b: Uint8Array): LayoutFile => ({ path: `blobs/sha256/${digestOf(b).slice(7)}`, data: b });

/** `rootfs`: the layer's uncompressed tar; `cmd`: the image config's Cmd. amd64/linux. */
export function ociImage(o: { rootfs: Uint8Array; refName?: string; cmd: string[] }): OciImage {
  const layer = new Uint8Array(gzipSync(o.rootfs));
  const config = enc({
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: o.cmd },
    rootfs: { type: 'layers', diff_ids: [digestOf(o.rootfs)] },
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
      blobFile(manifest),
      blobFile(config),
      blobFile(layer),
    ],
    manifestDigest: digestOf(manifest),
    configDigest: digestOf(config),
    layerDigest: digestOf(layer),
    manifest,
  };
}
