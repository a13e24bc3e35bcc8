// The HTTP datastore for VM disks (DatastoreConfig dType DsHttp): GET|HEAD /<HTTP_DATASTORE_DPATH>/<sha256>.<format>.
// EVE builds this URL from fqdn + dpath + ContentTree.URL (eve-workloads-facts §3.1), follows no redirect (§3.2),
// resumes with `Range: bytes=N-` when it saw `Accept-Ranges: bytes` and starts over when Last-Modified changes
// (§3.2), and needs the exact Content-Length it was told in maxSizeBytes (§3.3). sendArtifact gives all of that.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { etagOf } from '../../core/boot/range.js';
import { EvebootError } from '../../core/errors.js';
import { HTTP_DATASTORE_DPATH } from '../../core/workloads/model.js';
import type { AppStore, StoredImage } from '../app-store.js';
import { type Artifact, sendArtifact } from './boot-artifacts.js';
import type { ServedBytes } from './served-bytes.js';

export interface ContentDeps {
  store: AppStore;
  served: ServedBytes;
}

const DISK_FILE = /^([0-9a-f]{64})\.(qcow2|raw)$/;

export function datastoreRoutes(app: FastifyInstance, deps: ContentDeps): void {
  const handler = (req: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) => {
    const { file } = req.params;
    const m = DISK_FILE.exec(file);
    const img = m ? deps.store.disk(m[1]!, m[2]!) : undefined;
    if (!img) {
      throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `${file} is not an imported disk: check eveboot apps list`);
    }
    const a = storedFile(deps.store, img, img.sha256, img.sizeBytes, `${HTTP_DATASTORE_DPATH}/${file}`);
    return sendArtifact(
      req,
      reply,
      { ...a, contentType: 'application/octet-stream' },
      deps.served.counter(img, req.ip, file),
    );
  };
  app.route({ method: ['GET', 'HEAD'], url: `/${HTTP_DATASTORE_DPATH}/:file`, handler });
}

/** One blob of the store as an artifact; its index record dates it (Last-Modified stays put across restarts). */
export function storedFile(store: AppStore, img: StoredImage, hex: string, size: number, name: string): Artifact {
  if (!store.hasBlob(hex, size)) {
    throw new EvebootError(
      'EVEBOOT_ERR_NOT_FOUND',
      `sha256:${hex} of ${img.name} is missing from ${store.root} or has the wrong size: import the image again`,
    );
  }
  return { name, size, etag: etagOf(hex), source: { file: store.blobFile(hex) }, lastModified: img.importedAt };
}
