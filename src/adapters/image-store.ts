// Imported images on disk: <root>/<id>/manifest.json plus the files it lists. Only files named in a manifest
// are ever served, so a request path can never reach outside an image directory (no path arithmetic on input).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ImageFile, type ImageManifest, manifestSchema } from '../core/boot/manifest.js';

export interface ResolvedFile {
  image: ImageManifest;
  file: ImageFile;
  absPath: string;
}

export class ImageStore {
  private cache: { stamp: string; images: ImageManifest[] } | undefined;

  /** `root` is <state>/images. `problems` receives manifests that do not parse (listed, then skipped). */
  constructor(
    readonly root: string,
    private readonly problems: (msg: string) => void = () => {},
  ) {}

  /** All valid manifests, newest import first. Re-read when the directory changes (import while serving). */
  list(): ImageManifest[] {
    const dirs = existsSync(this.root)
      ? readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      : [];
    const manifests = dirs.map((d) => join(this.root, d.name, 'manifest.json')).filter((p) => existsSync(p));
    const stamp = manifests.map((p) => `${p}@${statSync(p).mtimeMs}`).join('|');
    if (this.cache && this.cache.stamp === stamp) return this.cache.images;
    const images: ImageManifest[] = [];
    for (const path of manifests) {
      try {
        const m = manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
        const dir = path.split(/[\\/]/).slice(-2)[0];
        if (m.id !== dir) throw new Error(`id ${m.id} does not match directory ${dir}`);
        images.push(m);
      } catch (e) {
        this.problems(`${path}: ${(e as Error).message}`);
      }
    }
    images.sort((a, b) => b.importedAt.localeCompare(a.importedAt) || a.id.localeCompare(b.id));
    this.cache = { stamp, images };
    return images;
  }

  /** Forget the cached listing (after an import in this process). */
  refresh(): void {
    this.cache = undefined;
  }

  get(id: string): ImageManifest | undefined {
    return this.list().find((m) => m.id === id);
  }

  resolve(id: string, path: string): ResolvedFile | undefined {
    const image = this.get(id);
    const file = image?.files.find((f) => f.path === path);
    if (!image || !file) return undefined;
    return { image, file, absPath: join(this.root, image.id, ...file.path.split('/')) };
  }
}
