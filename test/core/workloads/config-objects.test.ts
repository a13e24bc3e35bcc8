// The workload objects of every node's EdgeDevConfig (eve-workloads-facts §1, §2.6, §4.1): golden JSON per node
// for the fixture site, identical UUIDs on all nodes, the designated fields, and each field EVE needs.
import { join } from 'node:path';
import { toJsonString } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { buildDeviceConfig } from '../../../src/core/eve/device-config.js';
import { buildWorkloadObjects, type WorkloadObjects } from '../../../src/core/workloads/config-objects.js';
import { emptyWorkloadState, placeWorkloads } from '../../../src/core/workloads/placement.js';
import { workloadUuids } from '../../../src/core/workloads/uuids.js';
import { AffinityType } from '../../../src/gen/config/appconfig_pb.js';
import { EdgeDevConfigSchema } from '../../../src/gen/config/devconfig_pb.js';
import { AddressType, ZNetworkInstType } from '../../../src/gen/config/netinst_pb.js';
import { DsType, Format, VolumeContentOriginType } from '../../../src/gen/config/storage_pb.js';
import { VmMode } from '../../../src/gen/config/vm_pb.js';
import { PhyIoType } from '../../../src/gen/evecommon/devmodelcommon_pb.js';
import { expectGoldenFile } from '../../support/golden-file.js';
import { CLUSTER_ID, catalogOf, ENDPOINTS, IMAGES, NODES, SPEC } from './three-node-site.js';

const placed = placeWorkloads(SPEC, emptyWorkloadState(), NODES, 1000);
if (placed.kind !== 'ok') throw new Error(placed.reasons.join('; '));
const build = (catalog = catalogOf(IMAGES)) =>
  buildWorkloadObjects({ clusterId: CLUSTER_ID, spec: SPEC, state: placed.state, catalog, endpoints: ENDPOINTS });
const built = build();
if (built.kind !== 'ok') throw new Error(built.reasons.join('; '));
const objects: WorkloadObjects = built.objects;
const ids = workloadUuids(CLUSTER_ID, SPEC);
const [n1, , n3] = NODES.map((n) => n.uuid) as [string, string, string];

const configs = NODES.map((n) =>
  buildDeviceConfig({ uuid: n.uuid, name: n.name, certsHash: 'certs-hash', version: '2', workloads: objects }),
);
// .json.golden: Biome formats *.json, and a golden is compared byte for byte.
const goldenDir = join(import.meta.dirname, '../../fixtures/workloads');

describe('per-node EdgeDevConfig with workloads', () => {
  NODES.forEach((n, i) => {
    it(`${n.name} matches its golden JSON`, () => {
      expectGoldenFile(
        join(goldenDir, `${n.name}.json.golden`),
        `${toJsonString(EdgeDevConfigSchema, configs[i]!, { prettySpaces: 2 })}\n`,
      );
    });
  });

  it('every node gets the same workload objects, UUIDs and designated nodes; only id and name differ', () => {
    const workloadPart = (i: number) => {
      const j = JSON.parse(toJsonString(EdgeDevConfigSchema, configs[i]!)) as Record<string, unknown>;
      delete j.id;
      delete j.deviceName;
      return j;
    };
    expect(workloadPart(1)).toEqual(workloadPart(0));
    expect(workloadPart(2)).toEqual(workloadPart(0));
    expect(configs.map((c) => c.id?.uuid)).toEqual(NODES.map((n) => n.uuid));
  });

  it('the designated fields name the placed node', () => {
    const dn = (list: { uuid?: string; designatedNodeId: string }[], uuid: string) =>
      list.find((x) => x.uuid === uuid)?.designatedNodeId;
    expect({
      plc: objects.apps.find((a) => a.uuidandversion?.uuid === ids.apps.plc)?.designatedNodeId,
      web: objects.apps.find((a) => a.uuidandversion?.uuid === ids.apps.web)?.designatedNodeId,
      history: dn(objects.volumes, ids.volumes.history!),
      scratch: dn(objects.volumes, ids.volumes.scratch!),
      plcRoot: dn(objects.volumes, ids.appRoot.plc!.volume),
      plcContent: dn(objects.contentInfo, ids.appRoot.plc!.content),
      webContent: dn(objects.contentInfo, ids.appRoot.web!.content),
    }).toEqual({
      plc: n1,
      web: n3,
      history: n1,
      scratch: n3,
      plcRoot: n1,
      plcContent: n1,
      webContent: n3,
    });
  });

  it('a different cluster id gives different UUIDs, the same cluster id the same ones', () => {
    expect(workloadUuids(CLUSTER_ID, SPEC)).toEqual(ids);
    expect(workloadUuids('00000000-0000-4000-8000-000000000001', SPEC).apps.plc).not.toBe(ids.apps.plc);
  });
});

describe('what EVE needs in each object', () => {
  const app = (name: string) => objects.apps.find((a) => a.displayname === name)!;
  const ni = (name: string) => objects.networkInstances.find((x) => x.displayname === name)!;
  const ct = (uuid: string) => objects.contentInfo.find((x) => x.uuid === uuid)!;
  const vol = (uuid: string) => objects.volumes.find((x) => x.uuid === uuid)!;
  const cases: { name: string; input: () => unknown; want: unknown }[] = [
    {
      name: 'local NI: activated, IPv4 with its subnet, uplinked by label',
      input: () => {
        const x = ni('apps-nat');
        return [x.activate, x.instType, x.ipType, x.ip?.subnet, x.port?.name, x.uuidandversion?.uuid];
      },
      want: [true, ZNetworkInstType.ZnetInstLocal, AddressType.IPV4, '10.1.0.0/24', 'uplink', ids.networks['apps-nat']],
    },
    {
      name: 'switch NI: activated, port eth1 of type PhyIoNetEth, no IP type',
      input: () => {
        const x = ni('plant-lan');
        return [x.activate, x.instType, x.port?.type, x.port?.name, x.ipType];
      },
      want: [true, ZNetworkInstType.ZnetInstSwitch, PhyIoType.PhyIoNetEth, 'eth1', AddressType.First],
    },
    {
      name: 'VM app: memory in kB, vCPUs, HVM, activated, required affinity',
      input: () => {
        const a = app('plc');
        return [
          a.fixedresources?.memory,
          a.fixedresources?.vcpus,
          a.fixedresources?.virtualizationMode,
          a.activate,
          a.affinity,
        ];
      },
      want: [2048 * 1024, 2, VmMode.HVM, true, AffinityType.REQUIRED],
    },
    {
      name: 'container app: the shim VM (HVM), preferred affinity, image mounted at /, volume under /mnt',
      input: () => {
        const a = app('web');
        return [a.fixedresources?.virtualizationMode, a.affinity, a.volumeRefList.map((r) => [r.uuid, r.mountDir])];
      },
      want: [
        VmMode.HVM,
        AffinityType.PREFERRED,
        [
          [ids.appRoot.web!.volume, '/'],
          [ids.volumes.scratch, '/mnt/scratch'],
        ],
      ],
    },
    {
      name: 'every interface names its NI and carries the allow-all ACE',
      input: () =>
        app('web').interfaces.map((i) => [
          i.networkId,
          i.acls.map((a) => [a.id, a.matches.map((m) => [m.type, m.value]), a.actions.length]),
        ]),
      want: [
        [ids.networks['apps-nat'], [[1, [['ip', '0.0.0.0/0']], 0]]],
        [ids.networks['plant-lan'], [[1, [['ip', '0.0.0.0/0']], 0]]],
      ],
    },
    {
      name: 'volume refs carry the generation of their volume',
      input: () =>
        objects.apps.flatMap((a) => a.volumeRefList.map((r) => r.generationCount === vol(r.uuid).generationCount)),
      want: [true, true, true, true],
    },
    {
      name: 'VM disk content: HTTP datastore, qcow2, the file sha256 and its exact size',
      input: () => {
        const c = ct(ids.appRoot.plc!.content);
        return [c.dsIdsList, c.URL, c.iformat, c.sha256, c.maxSizeBytes];
      },
      want: [[ids.datastores.http], `${IMAGES[1]!.sha256}.qcow2`, Format.QCOW2, IMAGES[1]!.sha256, 196616n],
    },
    {
      name: 'container content: registry datastore alone, name:tag, CONTAINER, manifest digest, size 0',
      input: () => {
        const c = ct(ids.appRoot.web!.content);
        return [c.dsIdsList, c.URL, c.iformat, c.sha256, c.maxSizeBytes];
      },
      want: [[ids.datastores.registry], 'web:v1', Format.CONTAINER, IMAGES[0]!.sha256, 0n],
    },
    {
      name: 'root volumes download their content; declared volumes are blank with their size',
      input: () => [
        [vol(ids.appRoot.plc!.volume).origin?.type, vol(ids.appRoot.plc!.volume).origin?.downloadContentTreeID],
        [vol(ids.volumes.history!).origin?.type, vol(ids.volumes.history!).maxsizebytes],
      ],
      want: [
        [VolumeContentOriginType.VCOT_DOWNLOAD, ids.appRoot.plc!.content],
        [VolumeContentOriginType.VCOT_BLANK, 1073741824n],
      ],
    },
    {
      name: 'datastores: HTTP with dpath, registry with docker:// fqdn',
      input: () => objects.datastores.map((d) => [d.id, d.dType, d.fqdn, d.dpath]),
      want: [
        [ids.datastores.http, DsType.DsHttp, 'http://192.168.10.2:8080', 'eveboot/images'],
        [ids.datastores.registry, DsType.DsContainerRegistry, 'docker://192.168.10.2:5000', 'eveboot'],
      ],
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.input()).toEqual(c.want));

  it('an image missing from the catalog holds the whole set, with the site path', () => {
    const r = build(catalogOf([IMAGES[0]!]));
    expect(r).toEqual({
      kind: 'held',
      reasons: ['workloads.apps.1.image: image plc-disk is not imported: run eveboot apps import FILE first'],
    });
  });
});
