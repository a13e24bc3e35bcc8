// The UUID of every workload object, by name (model.ts workloadUuid): the same on every node and every restart,
// so status ingestion, the UI and the config builder agree without storing them.
import { type WorkloadsSpec, workloadUuid } from './model.js';

export interface WorkloadUuids {
  networks: Record<string, string>;
  /** Declared volumes by name. */
  volumes: Record<string, string>;
  apps: Record<string, string>;
  /** Per app: its root volume (made from its image) and that image's content tree. */
  appRoot: Record<string, { volume: string; content: string }>;
  /** Content trees of image-backed declared volumes, by volume name. */
  volumeContent: Record<string, string>;
  datastores: { http: string; registry: string };
}

export function workloadUuids(clusterId: string, spec: WorkloadsSpec): WorkloadUuids {
  const by = (kind: Parameters<typeof workloadUuid>[1], names: string[], prefix = '') =>
    Object.fromEntries(names.map((n) => [n, workloadUuid(clusterId, kind, `${prefix}${n}`)]));
  // Site names carry no '/', so the app/ and volume/ prefixes never collide with a declared name.
  const appNames = spec.apps.map((a) => a.name);
  const rootVolumes = by('volume', appNames, 'app/');
  const rootContents = by('content', appNames, 'app/');
  return {
    networks: by(
      'network',
      spec.networks.map((n) => n.name),
    ),
    volumes: by(
      'volume',
      spec.volumes.map((v) => v.name),
    ),
    apps: by('app', appNames),
    appRoot: Object.fromEntries(appNames.map((n) => [n, { volume: rootVolumes[n]!, content: rootContents[n]! }])),
    volumeContent: by(
      'content',
      spec.volumes.filter((v) => v.image).map((v) => v.name),
      'volume/',
    ),
    datastores: {
      http: workloadUuid(clusterId, 'datastore', 'http'),
      registry: workloadUuid(clusterId, 'datastore', 'registry'),
    },
  };
}
