// The fixture site: 3 nodes, 2 networks (one local, one switch), 2 volumes (one replicated) and
// 2 apps (one container, one VM), with a fake image catalog holding exactly the imported images.
import type { ImageCatalog, ImageEndpoints, ImageRecord, WorkloadsSpec } from '../../../src/core/workloads/model.js';
import type { WorkloadNode } from '../../../src/core/workloads/placement.js';

export const CLUSTER_ID = '8c1d9c3e-4f57-4c71-9d0e-2a3b4c5d6e7f';

export const NODES: WorkloadNode[] = [
  { uuid: '11111111-1111-4111-8111-111111111111', name: 'edge-1', aliases: ['SN-0001'] },
  { uuid: '22222222-2222-4222-8222-222222222222', name: 'edge-2', aliases: ['SN-0002'] },
  { uuid: '33333333-3333-4333-8333-333333333333', name: 'edge-3', aliases: ['SN-0003'] },
];

export const SPEC: WorkloadsSpec = {
  networks: [
    { name: 'apps-nat', kind: 'local', port: 'uplink', subnet: '10.1.0.0/24' },
    { name: 'plant-lan', kind: 'switch', port: 'eth1' },
  ],
  volumes: [
    { name: 'history', sizeBytes: 1073741824, replicated: true },
    { name: 'scratch', sizeBytes: 104857600, replicated: false, node: 'edge-3' },
  ],
  apps: [
    {
      name: 'web',
      kind: 'container',
      image: 'web',
      vcpus: 1,
      memoryMiB: 256,
      networks: ['apps-nat', 'plant-lan'],
      volumes: ['scratch'],
      node: 'auto',
      affinity: 'preferred',
    },
    {
      name: 'plc',
      kind: 'vm',
      image: 'plc-disk',
      vcpus: 2,
      memoryMiB: 2048,
      networks: ['plant-lan'],
      volumes: ['history'],
      node: 'edge-1',
      affinity: 'required',
    },
  ],
};

export const IMAGES: ImageRecord[] = [
  {
    name: 'web',
    sha256: 'a3f1c0de5b7e2d4c6a8b9f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4',
    format: 'oci',
    sizeBytes: 529,
    tag: 'v1',
    importedAt: 1765000000000,
  },
  {
    name: 'plc-disk',
    sha256: '0f9e8d7c6b5a49382716f5e4d3c2b1a0ffeeddccbbaa99887766554433221100',
    format: 'qcow2',
    sizeBytes: 196616,
    importedAt: 1765000000000,
  },
];

/** A catalog that finds exactly these images, by name or sha256:<hex>, as the image store does. */
export function catalogOf(images: ImageRecord[]): ImageCatalog {
  return {
    images: () => images,
    find: (ref) => images.find((i) => i.name === ref || `sha256:${i.sha256}` === ref),
  };
}

export const ENDPOINTS: ImageEndpoints = {
  httpFqdn: 'http://192.168.10.2:8080',
  registryFqdn: 'docker://192.168.10.2:5000',
};
