// Checks that need more than the site file: the image catalog (at serve start and at deployment) and the port
// labels EVE reports per node (at planning time). Each problem reads "path: what is wrong" with the site path.
import type { ImageCatalog, WorkloadsSpec } from './model.js';

/** Labels EVE gives every node itself: a local NI may uplink to them (eve-workloads-facts §2.5). */
export const SHARED_PORT_LABELS = ['uplink', 'freeuplink', 'all'];

/** Every image the workloads name is imported, and of the kind its user needs. `base`: 'workloads' or 'clusters.N.workloads'. */
export function imageProblems(spec: WorkloadsSpec, catalog: ImageCatalog, base = 'workloads'): string[] {
  const out: string[] = [];
  const check = (ref: string, want: 'container' | 'disk', path: string) => {
    const img = catalog.find(ref);
    if (!img) {
      out.push(`${path}: image ${ref} is not imported: run eveboot apps import FILE first`);
    } else if (want === 'container' && img.format !== 'oci') {
      out.push(`${path}: image ${ref} is a ${img.format} disk; a container app needs an OCI image archive`);
    } else if (want === 'disk' && img.format === 'oci') {
      // EVE turns an OCI image from a plain HTTP datastore into a disk, not a container (§3.4): no such mix.
      out.push(`${path}: image ${ref} is an OCI image; a VM or a volume needs a qcow2 or raw disk`);
    }
  };
  spec.apps.forEach((a, i) => {
    check(a.image, a.kind === 'container' ? 'container' : 'disk', `${base}.apps.${i}.image`);
  });
  spec.volumes.forEach((v, i) => {
    if (v.image) check(v.image, 'disk', `${base}.volumes.${i}.image`);
  });
  return out;
}

/**
 * EVE activates an NI only when a port matches its label on the node ("no port is matching label", ZR
 * validation.go), and every node creates every NI (§2.5): the label must exist on every node. A switch NI
 * bridges one real port; a local NI may also name a shared label.
 */
export function portProblems(
  spec: WorkloadsSpec,
  nodes: { name: string; labels: string[] }[],
  base = 'workloads',
): string[] {
  const out: string[] = [];
  spec.networks.forEach((n, i) => {
    if (n.kind === 'local' && SHARED_PORT_LABELS.includes(n.port)) return;
    const lacking = nodes.filter((x) => !x.labels.includes(n.port)).map((x) => x.name);
    if (lacking.length > 0) {
      out.push(`${base}.networks.${i}.port: no port labelled ${n.port} on ${lacking.join(', ')}`);
    }
  });
  return out;
}
