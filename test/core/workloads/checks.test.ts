// Checks that need the image catalog or EVE's port inventory (issue #13: refused before anything is sent).
import { describe, expect, it } from 'vitest';
import { imageProblems, portProblems } from '../../../src/core/workloads/checks.js';
import type { WorkloadsSpec } from '../../../src/core/workloads/model.js';
import { catalogOf, IMAGES, SPEC } from './three-node-site.js';

describe('imageProblems', () => {
  const cases: {
    name: string;
    input: { spec: WorkloadsSpec; images: typeof IMAGES; base?: string };
    want: string[];
  }[] = [
    { name: 'every image imported and of the right kind', input: { spec: SPEC, images: IMAGES }, want: [] },
    {
      name: 'an image not imported, with the manifest path',
      input: { spec: SPEC, images: [IMAGES[1]!], base: 'clusters.2.workloads' },
      want: ['clusters.2.workloads.apps.0.image: image web is not imported: run eveboot apps import FILE first'],
    },
    {
      name: 'found by sha256:<hex> too',
      input: {
        spec: { ...SPEC, apps: [{ ...SPEC.apps[1]!, image: `sha256:${IMAGES[1]!.sha256}` }] },
        images: IMAGES,
      },
      want: [],
    },
    {
      name: 'a disk for a container and an OCI image for a VM and a volume',
      input: {
        spec: {
          networks: [],
          volumes: [{ name: 'v', image: 'web', replicated: true }],
          apps: [
            { ...SPEC.apps[0]!, image: 'plc-disk' },
            { ...SPEC.apps[1]!, image: 'web' },
          ],
        },
        images: IMAGES,
      },
      want: [
        'workloads.apps.0.image: image plc-disk is a qcow2 disk; a container app needs an OCI image archive',
        'workloads.apps.1.image: image web is an OCI image; a VM or a volume needs a qcow2 or raw disk',
        'workloads.volumes.0.image: image web is an OCI image; a VM or a volume needs a qcow2 or raw disk',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(imageProblems(c.input.spec, catalogOf(c.input.images), c.input.base)).toEqual(c.want));
  }
});

describe('portProblems', () => {
  const all = ['eth0', 'eth1'];
  const cases: { name: string; input: { name: string; labels: string[] }[]; want: string[] }[] = [
    {
      name: 'every node has eth1; the local NI uses the shared label uplink',
      input: [
        { name: 'edge-1', labels: all },
        { name: 'edge-2', labels: all },
        { name: 'edge-3', labels: all },
      ],
      want: [],
    },
    {
      name: 'a node without eth1 holds the switch network, naming the node',
      input: [
        { name: 'edge-1', labels: all },
        { name: 'edge-2', labels: ['eth0'] },
        { name: 'edge-3', labels: ['eth0'] },
      ],
      want: ['workloads.networks.1.port: no port labelled eth1 on edge-2, edge-3'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(portProblems(SPEC, c.input)).toEqual(c.want));

  it('a local network on a real label is checked like a switch', () => {
    const spec: WorkloadsSpec = {
      ...SPEC,
      networks: [{ name: 'n', kind: 'local', port: 'eth2', subnet: '10.1.0.0/24' }],
    };
    expect(portProblems(spec, [{ name: 'edge-1', labels: all }])).toEqual([
      'workloads.networks.0.port: no port labelled eth2 on edge-1',
    ]);
  });
});
