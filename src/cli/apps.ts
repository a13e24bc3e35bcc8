// eveboot apps import|list: workload images (OCI archives for containers, qcow2/raw disks for VMs) into the
// state directory, where the HTTP boot server serves them to the nodes (docs/how-to/workload-images.md).
// eveboot apps move: its own file (apps-move.ts); dispatched here.
import { join } from 'node:path';
import { importApp } from '../adapters/app-import.js';
import { AppStore, type StoredImage } from '../adapters/app-store.js';
import { HTTP_DATASTORE_DPATH, imageContentUrl, REGISTRY_NAMESPACE } from '../core/workloads/model.js';
import { APPS_MOVE_USAGE, appsMove, appsMoveOptions } from './apps-move.js';
import { parse, UsageError } from './args.js';

export const APPS_USAGE = `usage: eveboot apps import FILE [--name NAME] [--tag TAG] [--sha256 HEX] [--state DIR]
       eveboot apps list [--state DIR]
  FILE          an OCI image archive (a tar of an OCI image layout, as skopeo copy … oci-archive:FILE.tar writes)
                for a container, or a VM disk: qcow2 (by its QFI\\xfb magic), anything else is taken as raw
  --name NAME   the name site files use in image: (default: the archive's image name, else the file name);
                lower-case letters and digits separated by . _ or -
  --tag TAG     OCI only: the tag the registry serves it under (default: the archive's tag, else latest)
  --sha256 HEX  refuse the import unless it matches: the file's SHA-256 for a disk, the image digest (of the
                manifest or index, as skopeo inspect prints it) for OCI
  --state DIR   state directory (default ./eveboot-state)
Re-importing the same content under the same name changes nothing; other content under a taken name is refused.
${APPS_MOVE_USAGE}`;

// --state (default eveboot-state) comes with the move options: import, list and move share it.
const options = {
  ...appsMoveOptions,
  name: { type: 'string' as const },
  tag: { type: 'string' as const },
  sha256: { type: 'string' as const },
};

export async function appsCommand(
  argv: string[],
  out: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parse(argv, options, APPS_USAGE);
  const [sub, file, ...extra] = positionals;
  if (sub === 'move') return appsMove(values, positionals.slice(1), out, env, APPS_USAGE);
  const store = new AppStore(join(values.state, 'apps'));
  if (sub === 'list' && file === undefined) {
    const images = store.images();
    if (images.length === 0) out(`no workload images in ${store.root}: run eveboot apps import FILE`);
    for (const img of images) {
      out(describe(img));
      const missing = store.missing(img).length;
      if (missing > 0)
        out(`  ${missing} file(s) missing (a state import leaves them out): import it again with --name ${img.name}`);
    }
    return 0;
  }
  if (sub !== 'import' || file === undefined || extra.length > 0) throw new UsageError(APPS_USAGE);
  const r = await importApp(store, file, {
    name: values.name,
    tag: values.tag,
    sha256: values.sha256,
    now: Date.now(),
  });
  out(`${r.already ? 'already imported' : 'imported'} ${describe(r.image)}`);
  out(
    r.image.format === 'oci'
      ? `  served by the registry on the HTTP boot port as ${REGISTRY_NAMESPACE}/${imageContentUrl(r.image)}`
      : `  served on the HTTP boot port at /${HTTP_DATASTORE_DPATH}/${imageContentUrl(r.image)}`,
  );
  return 0;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function describe(img: StoredImage): string {
  const what =
    img.format === 'oci'
      ? `oci  tag ${img.tag}  ${img.blobs?.length ?? 0} blobs`
      : `${img.format}  virtual ${mib(img.virtualSizeBytes ?? img.sizeBytes)}`;
  return `${img.name}  ${what}  ${mib(img.sizeBytes)}  sha256:${img.sha256}  ${new Date(img.importedAt).toISOString()}`;
}
