// The read side of the OCI Distribution API (distribution-spec spec.md "Pull"), as URL paths under /v2/:
//   /v2/                                   base: 200 tells a client this is a registry (end-1)
//   /v2/<name>/manifests/<tag|digest>      end-3 (GET/HEAD)
//   /v2/<name>/blobs/<digest>              end-2 (GET/HEAD, Range)
//   /v2/<name>/tags/list                   end-8a (skopeo inspect lists tags)
// Names served are `<REGISTRY_NAMESPACE>/<image name>`; anything else is NAME_UNKNOWN.
import { DIGEST } from './oci-layout.js';

export type RegistryRequest =
  | { kind: 'base' }
  | { kind: 'manifest'; repo: string; ref: { tag: string } | { digest: string } }
  | { kind: 'blob'; repo: string; digest: string }
  | { kind: 'tags'; repo: string }
  | { kind: 'unknown'; code: RegistryErrorCode; why: string };

/** distribution-spec "Error Codes" used by this read-only registry. */
export type RegistryErrorCode = 'BLOB_UNKNOWN' | 'MANIFEST_UNKNOWN' | 'NAME_UNKNOWN' | 'UNSUPPORTED';

export interface RegistryErrorBody {
  errors: { code: RegistryErrorCode; message: string; detail?: unknown }[];
}

export const registryError = (code: RegistryErrorCode, message: string, detail?: unknown): RegistryErrorBody => ({
  errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }],
});

const unknown = (code: RegistryErrorCode, why: string): RegistryRequest => ({ kind: 'unknown', code, why });

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** `rest` is the path after `/v2/`, without the query string. */
export function parseRegistryPath(rest: string): RegistryRequest {
  if (rest === '') return { kind: 'base' };
  let m = /^(.+)\/manifests\/([^/]+)$/.exec(rest);
  if (m) {
    const [, repo = '', ref = ''] = m;
    if (DIGEST.test(ref)) return { kind: 'manifest', repo, ref: { digest: ref } };
    if (ANY_DIGEST.test(ref)) return unknown('MANIFEST_UNKNOWN', `digest ${ref}: only sha256 is served`);
    if (TAG.test(ref)) return { kind: 'manifest', repo, ref: { tag: ref } };
    return unknown('MANIFEST_UNKNOWN', `${ref} is neither a tag nor a digest`);
  }
  m = /^(.+)\/blobs\/([^/]+)$/.exec(rest);
  if (m) {
    const [, repo = '', digest = ''] = m;
    if (DIGEST.test(digest)) return { kind: 'blob', repo, digest };
    return unknown('BLOB_UNKNOWN', `digest ${digest}: not sha256:<64 lower-case hex>`);
  }
  m = /^(.+)\/tags\/list$/.exec(rest);
  if (m) return { kind: 'tags', repo: m[1]! };
  return unknown('NAME_UNKNOWN', `/v2/${rest} is not a pull endpoint of this read-only registry`);
}

/** `<namespace>/<name>` → the image name, or undefined for any other repository. */
export function imageNameOf(repo: string, namespace: string): string | undefined {
  const prefix = `${namespace}/`;
  if (!repo.startsWith(prefix)) return undefined;
  const name = repo.slice(prefix.length);
  return name !== '' && !name.includes('/') ? name : undefined;
}
