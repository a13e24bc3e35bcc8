// Imported workload images on disk, content-addressed: <state>/apps/blobs/sha256/<hex> holds every file (a VM
// disk, or each manifest, config and layer of an OCI image, stored one by one so the registry can serve them),
// and <state>/apps/index.json lists the images. Request paths are only ever looked up in the index, never
// joined, so nothing outside the blob directory is reachable.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { findImage } from '../core/workloads/image-ref.js';
import type { ImageCatalog, ImageRecord } from '../core/workloads/model.js';
import { DIGEST } from '../core/workloads/oci-layout.js';

export interface StoredBlob {
  digest: string;
  size: number;
  mediaType: string;
}

/** An image as the store keeps it: the shared record, plus (OCI) what the registry needs to serve it. */
export interface StoredImage extends ImageRecord {
  /** oci: media type of the root (an image manifest or an index). */
  mediaType?: string;
  /** oci: every blob the root reaches, root first. */
  blobs?: StoredBlob[];
}

const hex = z.string().regex(/^[0-9a-f]{64}$/);
const blobSchema = z.object({ digest: z.string().regex(DIGEST), size: z.number().int().min(0), mediaType: z.string() });
const imageSchema = z.object({
  name: z.string().min(1),
  sha256: hex,
  format: z.enum(['oci', 'qcow2', 'raw']),
  sizeBytes: z.number().int().min(0),
  tag: z.string().optional(),
  virtualSizeBytes: z.number().int().min(0).optional(),
  importedAt: z.number(),
  mediaType: z.string().optional(),
  blobs: z.array(blobSchema).optional(),
});
const indexSchema = z.object({ version: z.literal(1), images: z.array(imageSchema) });

export class AppStore implements ImageCatalog {
  private cache: { stamp: string; images: StoredImage[] } | undefined;

  /** `root` is <state>/apps. A broken index is an error the operator sees, never an empty catalog. */
  constructor(readonly root: string) {}

  get indexFile(): string {
    return join(this.root, 'index.json');
  }

  blobFile(sha256hex: string): string {
    return join(this.root, 'blobs', 'sha256', sha256hex);
  }

  hasBlob(sha256hex: string, size: number): boolean {
    return statSync(this.blobFile(sha256hex), { throwIfNoEntry: false })?.size === size;
  }

  /** All images, in import order. Re-read when the index changes (an import while serving). */
  images(): StoredImage[] {
    const st = statSync(this.indexFile, { throwIfNoEntry: false });
    if (!st) return [];
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (this.cache?.stamp === stamp) return this.cache.images;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.indexFile, 'utf8'));
    } catch (e) {
      throw new Error(`${this.indexFile}: ${(e as Error).message}`);
    }
    const parsed = indexSchema.safeParse(raw);
    if (!parsed.success) {
      const p = parsed.error.issues[0]!;
      throw new Error(`${this.indexFile}: ${p.path.join('.')}: ${p.message}`);
    }
    this.cache = { stamp, images: parsed.data.images };
    return parsed.data.images;
  }

  find(ref: string): StoredImage | undefined {
    return findImage(this.images(), ref) as StoredImage | undefined;
  }

  /** The OCI image served as `<REGISTRY_NAMESPACE>/<name>`. */
  oci(name: string): StoredImage | undefined {
    return this.images().find((r) => r.name === name && r.format === 'oci');
  }

  /** The VM disk served as `<sha256>.<format>` (the earliest import of that content keeps Last-Modified stable). */
  disk(sha256hex: string, format: string): StoredImage | undefined {
    return this.images().find((r) => r.format !== 'oci' && r.sha256 === sha256hex && r.format === format);
  }

  /** Blobs of the image that are not in place (after a state import, which leaves blobs out: re-import). */
  missing(img: StoredImage): string[] {
    const files = img.blobs ?? [{ digest: `sha256:${img.sha256}`, size: img.sizeBytes }];
    return files.filter((b) => !this.hasBlob(b.digest.slice(7), b.size)).map((b) => b.digest);
  }

  /** Adds a record whose blobs are already in place. The index is replaced atomically (rename). */
  add(record: StoredImage): void {
    const images = [...this.images(), record];
    mkdirSync(this.root, { recursive: true });
    const tmp = `${this.indexFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, images }, null, 2)}\n`);
    renameSync(tmp, this.indexFile);
    this.cache = undefined;
  }
}
