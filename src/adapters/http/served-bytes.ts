// Bytes of each imported workload image sent to each client IP, by the datastore and the registry: read with
// servedBytes() (the UI's per-node download progress) and announced as `workload.image-progress` events at
// coarse steps (core/workloads/served-progress.ts), never per chunk.
import type { ImageDownloads, ImageRecord } from '../../core/workloads/model.js';
import { addServed, restartPart, type ServedImage, servedBytesOf } from '../../core/workloads/served-progress.js';
import type { ByteCounter } from './boot-artifacts.js';
import { type Emit, plainIp } from './boot-progress.js';

export class ServedBytes implements ImageDownloads {
  private readonly byClient = new Map<string, ServedImage>();

  constructor(private readonly emit: Emit) {}

  servedBytes(imageSha: string, clientIp: string): number {
    const s = this.byClient.get(`${imageSha} ${plainIp(clientIp)}`);
    return s ? Math.min(s.total, servedBytesOf(s)) : 0;
  }

  /** Counts one response: file `part` of `image` (the disk, or one blob of an OCI image) going to `ip`. */
  counter(image: Pick<ImageRecord, 'name' | 'sha256' | 'sizeBytes'>, ip: string, part: string): ByteCounter {
    const client = plainIp(ip);
    const key = `${image.sha256} ${client}`;
    let at = 0;
    return {
      restart: () => {
        const s = this.byClient.get(key);
        if (s) this.byClient.set(key, restartPart(s, part));
      },
      seek: (offset) => {
        at = offset;
      },
      add: (n) => {
        const s = this.byClient.get(key) ?? { parts: new Map(), total: image.sizeBytes };
        const { next, report } = addServed(s, part, at, n);
        at += n;
        this.byClient.set(key, next);
        if (report === undefined) return;
        const bytes = Math.min(next.total, servedBytesOf(next));
        this.emit({
          type: 'workload.image-progress',
          data: { image: image.name, sha256: image.sha256, ip: client, bytes, total: next.total, percent: report },
        });
      },
    };
  }
}
