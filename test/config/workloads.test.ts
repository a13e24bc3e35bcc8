// Every refusal of the workloads section, as "path: what is wrong", at load time (issue #13).
import { describe, expect, it } from 'vitest';
import { clusterSpecs, parseSite } from '../../src/config/site.js';
import { siteImageProblems } from '../../src/config/workloads-schema.js';
import { catalogOf, IMAGES } from '../core/workloads/three-node-site.js';
import { siteProblems } from '../support/site-problems.js';

const problems = siteProblems;

const SITE = `site: {name: s}
cluster: {name: c, prefix: 10.244.244.0/28}
nodes: [{serial: A, name: edge-1}, {serial: B, name: edge-2}, {serial: C, name: edge-3}]
`;
const NETS = `  networks:
    - {name: nat, kind: local, port: uplink, subnet: 10.1.0.0/24}
    - {name: lan, kind: switch, port: eth1}
`;
const site = (workloads: string) => `${SITE}workloads:\n${workloads}`;

describe('workloads section refusals', () => {
  const cases: { name: string; input: string; want: string[] }[] = [
    {
      name: 'a valid section with two networks, two volumes and two apps passes',
      input: site(`${NETS}  volumes:
    - {name: data, sizeBytes: 1048576, replicated: true}
    - {name: logs, sizeBytes: 1048576, replicated: false, node: edge-2}
  apps:
    - {name: web, kind: container, image: web, vcpus: 1, memoryMiB: 128, networks: [nat]}
    - {name: plc, kind: vm, image: disk, vcpus: 2, memoryMiB: 1024, networks: [lan], volumes: [data, logs], node: B}
`),
      want: [],
    },
    {
      name: 'an app on an unknown node',
      input: site(
        `${NETS}  apps: [{name: web, kind: container, image: web, vcpus: 1, memoryMiB: 128, networks: [nat], node: edge-9}]\n`,
      ),
      want: ["workloads.apps.0.node: no node edge-9 in this cluster's nodes"],
    },
    {
      name: 'a volume on an unknown node',
      input: site(`  volumes: [{name: v, sizeBytes: 10, replicated: false, node: nowhere}]\n`),
      want: ["workloads.volumes.0.node: no node nowhere in this cluster's nodes"],
    },
    {
      name: 'a required app whose non-replicated volume is designated on another node',
      input: site(`${NETS}  volumes: [{name: v, sizeBytes: 10, replicated: false, node: edge-2}]
  apps: [{name: plc, kind: vm, image: d, vcpus: 1, memoryMiB: 64, networks: [lan], volumes: [v], node: edge-1, affinity: required}]
`),
      want: [
        'workloads.apps.0.volumes.0: required app plc runs on edge-1 but volume v is not replicated and lives on edge-2',
      ],
    },
    {
      name: 'duplicate network, volume and app names',
      input: site(`  networks:
    - {name: n, kind: switch, port: eth1}
    - {name: n, kind: switch, port: eth2}
  volumes: [{name: v, sizeBytes: 1}, {name: v, sizeBytes: 2}]
  apps:
    - {name: a, kind: vm, image: d, vcpus: 1, memoryMiB: 1, networks: [n]}
    - {name: a, kind: vm, image: d, vcpus: 1, memoryMiB: 1, networks: [n]}
`),
      want: [
        'workloads.networks.1.name: duplicate network n',
        'workloads.volumes.1.name: duplicate volume v',
        'workloads.apps.1.name: duplicate app a',
      ],
    },
    {
      name: 'a local network without a subnet',
      input: site(`  networks: [{name: n, kind: local, port: uplink}]\n`),
      want: ['workloads.networks.0.subnet: a local network needs an IPv4 subnet, e.g. 10.1.0.0/24'],
    },
    {
      name: 'a local subnet inside K3s pods 10.42/16',
      input: site(`  networks: [{name: n, kind: local, port: uplink, subnet: 10.42.1.0/24}]\n`),
      want: ['workloads.networks.0.subnet: 10.42.1.0/24 overlaps 10.42.0.0/16 (K3s pods)'],
    },
    {
      name: 'a local subnet inside K3s services 10.43/16',
      input: site(`  networks: [{name: n, kind: local, port: uplink, subnet: 10.43.0.0/16}]\n`),
      want: [
        'workloads.networks.0.subnet: 10.43.0.0/16 overlaps 10.43.0.0/16 (K3s services, which EVE routes to the cluster port)',
      ],
    },
    {
      name: 'a local subnet over the cluster prefix',
      input: site(`  networks: [{name: n, kind: local, port: uplink, subnet: 10.244.0.0/16}]\n`),
      want: ['workloads.networks.0.subnet: 10.244.0.0/16 overlaps 10.244.244.0/28 (the cluster prefix)'],
    },
    {
      name: 'two local networks on overlapping subnets',
      input: site(`  networks:
    - {name: a, kind: local, port: uplink, subnet: 10.1.0.0/24}
    - {name: b, kind: local, port: uplink, subnet: 10.1.0.128/25}
`),
      want: ['workloads.networks.1.subnet: 10.1.0.128/25 overlaps 10.1.0.0/24 (network a)'],
    },
    {
      name: 'a local subnet too small for EVE',
      input: site(`  networks: [{name: n, kind: local, port: uplink, subnet: 10.1.0.0/30}]\n`),
      want: ['workloads.networks.0.subnet: 10.1.0.0/30 is too small: EVE needs a /29 or larger'],
    },
    {
      name: 'a switch network with a subnet',
      input: site(`  networks: [{name: n, kind: switch, port: eth1, subnet: 10.1.0.0/24}]\n`),
      want: ['workloads.networks.0.subnet: a switch network bridges the port and takes no subnet'],
    },
    {
      name: '0 vCPUs and 0 memory',
      input: site(`  apps: [{name: a, kind: vm, image: d, vcpus: 0, memoryMiB: 0}]\n`),
      want: [
        'workloads.apps.0.vcpus: must be at least 1: EVE refuses an app with 0 vCPUs',
        'workloads.apps.0.memoryMiB: must be at least 1: EVE refuses an app with 0 memory',
      ],
    },
    {
      name: 'an app naming an unknown network and volume',
      input: site(`  apps: [{name: a, kind: vm, image: d, vcpus: 1, memoryMiB: 1, networks: [x], volumes: [y]}]\n`),
      want: [
        'workloads.apps.0.networks.0: no network x in workloads.networks',
        'workloads.apps.0.volumes.0: no volume y in workloads.volumes',
      ],
    },
    {
      name: 'a container app without a network',
      input: site(`  apps: [{name: a, kind: container, image: d, vcpus: 1, memoryMiB: 1}]\n`),
      want: ['workloads.apps.0.networks: a container app needs at least one network'],
    },
    {
      name: 'a volume with both a size and an image',
      input: site(`  volumes: [{name: v, sizeBytes: 1, image: d}]\n`),
      want: ['workloads.volumes.0: give either sizeBytes (a blank volume) or image, not both and not neither'],
    },
    {
      name: 'a name with a slash or capitals',
      input: site(`  networks: [{name: A/b, kind: switch, port: eth1}]\n`),
      want: ['workloads.networks.0.name: may contain only lower-case letters, digits and -'],
    },
    {
      name: 'a manifest cluster checks its own workloads, with its own path',
      input: `site: {name: s}
clusters:
  - name: a
    nodes: [{serial: A}]
    workloads: {apps: [{name: x, kind: vm, image: d, vcpus: 1, memoryMiB: 1, node: Z}]}
`,
      want: ["clusters.0.workloads.apps.0.node: no node Z in this cluster's nodes"],
    },
    {
      name: 'a top-level workloads section next to a manifest',
      input: `site: {name: s}\nclusters: [{name: a, nodes: [{serial: A}]}]\nworkloads: {}\n`,
      want: ['workloads: with clusters, give workloads inside each cluster'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(problems(c.input)).toEqual(c.want));
});

describe('workloads reach the cluster spec', () => {
  it('a site file carries them, with the defaults filled in', () => {
    const spec = clusterSpecs(
      parseSite(
        site(`  volumes: [{name: v, sizeBytes: 5}]\n  apps: [{name: a, kind: vm, image: d, vcpus: 1, memoryMiB: 1}]\n`),
      ),
    )[0]!;
    expect(spec.workloads).toEqual({
      networks: [],
      volumes: [{ name: 'v', sizeBytes: 5, replicated: true }],
      apps: [
        {
          name: 'a',
          kind: 'vm',
          image: 'd',
          vcpus: 1,
          memoryMiB: 1,
          networks: [],
          volumes: [],
          node: 'auto',
          affinity: 'preferred',
        },
      ],
    });
  });
});

describe('images checked at serve start', () => {
  const catalog = catalogOf(IMAGES);
  const cases = [
    {
      name: 'a site file whose images are all imported',
      input: site(
        `${NETS}  apps: [{name: web, kind: container, image: web, vcpus: 1, memoryMiB: 1, networks: [nat]}]\n`,
      ),
      want: [],
    },
    {
      name: 'a manifest cluster naming an image nobody imported, with its path',
      input: `site: {name: s}
clusters:
  - {name: a, nodes: [{serial: A}]}
  - {name: b, prefix: 10.244.245.0/28, nodes: [{serial: B}], workloads: {apps: [{name: x, kind: vm, image: nope, vcpus: 1, memoryMiB: 1}]}}
`,
      want: ['clusters.1.workloads.apps.0.image: image nope is not imported: run eveboot apps import FILE first'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(siteImageProblems(parseSite(c.input), catalog)).toEqual(c.want));
});
