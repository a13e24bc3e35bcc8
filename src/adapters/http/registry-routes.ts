// A read-only OCI registry (distribution-spec, pull only) under /v2/ of the HTTP boot server, for container
// images: a DsContainerRegistry datastore with fqdn docker://<ip>:<httpPort> and dpath REGISTRY_NAMESPACE
// (eve-workloads-facts §2.6, §3.4). Manifests by tag or digest with their own media type as Content-Type and
// Docker-Content-Digest (go-containerregistry resolves a tag with it), blobs with Range. Errors are the
// registry's JSON error body; write methods answer 405 UNSUPPORTED.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REGISTRY_NAMESPACE } from '../../core/workloads/model.js';
import { isIndex, isManifest } from '../../core/workloads/oci-layout.js';
import {
  imageNameOf,
  parseRegistryPath,
  type RegistryErrorCode,
  registryError,
} from '../../core/workloads/registry-path.js';
import { sendArtifact } from './boot-artifacts.js';
import { type ContentDeps, storedFile } from './datastore-routes.js';

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

export function registryRoutes(app: FastifyInstance, deps: ContentDeps): void {
  const fail = (reply: FastifyReply, status: number, code: RegistryErrorCode, message: string) =>
    reply.code(status).headers(API_VERSION).type('application/json').send(registryError(code, message));

  const pull = (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const r = parseRegistryPath(req.params['*'] ?? '');
    reply.headers(API_VERSION);
    if (r.kind === 'base') return reply.type('application/json').send({});
    if (r.kind === 'unknown') return fail(reply, 404, r.code, r.why);
    const name = imageNameOf(r.repo, REGISTRY_NAMESPACE);
    const img = name === undefined ? undefined : deps.store.oci(name);
    if (!img) {
      return fail(
        reply,
        404,
        'NAME_UNKNOWN',
        `${r.repo}: no such image; serving ${REGISTRY_NAMESPACE}/<name> of eveboot apps list`,
      );
    }
    if (r.kind === 'tags') return reply.type('application/json').send({ name: r.repo, tags: [img.tag ?? 'latest'] });
    const digest =
      r.kind === 'blob'
        ? r.digest
        : 'digest' in r.ref
          ? r.ref.digest
          : r.ref.tag === (img.tag ?? 'latest')
            ? `sha256:${img.sha256}`
            : undefined;
    const blob = img.blobs?.find((b) => b.digest === digest);
    const isManifestBlob = blob !== undefined && (isManifest(blob.mediaType) || isIndex(blob.mediaType));
    if (r.kind === 'manifest' && !isManifestBlob) {
      return fail(
        reply,
        404,
        'MANIFEST_UNKNOWN',
        `${r.repo}: no manifest ${'tag' in r.ref ? r.ref.tag : r.ref.digest}`,
      );
    }
    if (!blob) return fail(reply, 404, 'BLOB_UNKNOWN', `${r.repo}: no blob ${digest}`);
    if (!deps.store.hasBlob(blob.digest.slice(7), blob.size)) {
      const code = r.kind === 'manifest' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN';
      return fail(
        reply,
        404,
        code,
        `${blob.digest} of ${img.name} is missing on the appliance: import the image again`,
      );
    }
    const a = storedFile(deps.store, img, blob.digest.slice(7), blob.size, `${r.repo}@${blob.digest}`);
    reply.header('docker-content-digest', blob.digest);
    const contentType = r.kind === 'manifest' ? blob.mediaType : 'application/octet-stream';
    // Registries use the digest itself as the ETag.
    const artifact = { ...a, contentType, etag: `"${blob.digest}"` };
    return sendArtifact(req, reply, artifact, deps.served.counter(img, req.ip, blob.digest));
  };
  const readOnly = (_req: FastifyRequest, reply: FastifyReply) =>
    fail(reply, 405, 'UNSUPPORTED', 'this registry is read-only: add images with eveboot apps import');

  for (const url of ['/v2', '/v2/*']) {
    app.route({ method: ['GET', 'HEAD'], url, handler: pull });
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler: readOnly });
  }
}
