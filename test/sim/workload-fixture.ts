// A 3-node workload config as EVE receives it (the same objects to every node, §1), a loopback HTTP datastore
// and a loopback read-only registry serving real bytes, for the simulator's workload tests.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { workloadUuid } from '../../src/core/workloads/model.js';
import { AffinityType } from '../../src/gen/config/appconfig_pb.js';
import { type EdgeDevConfig, EdgeDevConfigSchema } from '../../src/gen/config/devconfig_pb.js';
import { AddressType, ZNetworkInstType } from '../../src/gen/config/netinst_pb.js';
import { DsType, Format, VolumeContentOriginType } from '../../src/gen/config/storage_pb.js';
import { VmMode } from '../../src/gen/config/vm_pb.js';

export const NODES = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];
export const CLUSTER = 'c1c1c1c1-0000-4000-8000-00000000c1c1';
export const ID = {
  ni: 'aaaaaaaa-0000-4000-8000-000000000001',
  dsHttp: 'aaaaaaaa-0000-4000-8000-000000000002',
  dsReg: 'aaaaaaaa-0000-4000-8000-000000000003',
  ctDisk: 'aaaaaaaa-0000-4000-8000-000000000004',
  ctImage: 'aaaaaaaa-0000-4000-8000-000000000005',
  volDisk: 'aaaaaaaa-0000-4000-8000-000000000006',
  volImage: 'aaaaaaaa-0000-4000-8000-000000000007',
  web: workloadUuid(CLUSTER, 'app', 'web'),
  db: workloadUuid(CLUSTER, 'app', 'db-vm'),
};

export const DISK = Buffer.alloc(300_000, 7);
const LAYER = Buffer.from('a container layer, really');
const CFG = Buffer.from('{"architecture":"amd64","os":"linux"}');
const digest = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(CFG), size: CFG.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digest(LAYER), size: LAYER.length }],
  }),
);

export const MANIFEST_SHA = digest(MANIFEST).slice(7);

export interface Stores {
  port: number;
  /** Requests per path. */
  hits: Map<string, number>;
  bytesServed: number;
  close(): Promise<void>;
}

/** One loopback server for both: /eveboot/images/<sha>.qcow2 and the /v2/ registry API. */
export async function startStores(): Promise<Stores> {
  const hits = new Map<string, number>();
  const blobs = new Map([digest(CFG), digest(LAYER)].map((d, i) => [d, i ? LAYER : CFG]));
  const st = { bytesServed: 0 };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (b: Buffer, type: string) => {
      st.bytesServed += b.length;
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': b.length }).end(b);
    };
    if (path === `/eveboot/images/${digest(DISK).slice(7)}.qcow2`) return send(DISK, 'application/octet-stream');
    // By tag, or by the digest a content tree pins (EVE then skips tag resolution).
    if (path === '/v2/eveboot/nginx/manifests/1.27' || path === `/v2/eveboot/nginx/manifests/${digest(MANIFEST)}`) {
      return send(MANIFEST, 'application/vnd.oci.image.manifest.v1+json');
    }
    const blob = /^\/v2\/eveboot\/nginx\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path)?.[1];
    if (blob && blobs.has(blob)) return send(blobs.get(blob)!, 'application/octet-stream');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    get bytesServed() {
      return st.bytesServed;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** web: container, preferred, on node 2; db: VM with a replicated disk, required, on node 2. */
export function workloadConfig(port: number, dnid = NODES[1]!): EdgeDevConfig {
  return create(EdgeDevConfigSchema, {
    datastores: [
      { id: ID.dsHttp, dType: DsType.DsHttp, fqdn: `http://127.0.0.1:${port}`, dpath: 'eveboot/images' },
      { id: ID.dsReg, dType: DsType.DsContainerRegistry, fqdn: `docker://127.0.0.1:${port}`, dpath: 'eveboot' },
    ],
    networkInstances: [
      {
        uuidandversion: { uuid: ID.ni, version: '1' },
        displayname: 'lan',
        instType: ZNetworkInstType.ZnetInstLocal,
        activate: true,
        port: { name: 'eth0' },
        ipType: AddressType.IPV4,
        ip: { subnet: '10.1.0.0/24' },
      },
    ],
    contentInfo: [
      {
        uuid: ID.ctDisk,
        dsIdsList: [ID.dsHttp],
        URL: `${digest(DISK).slice(7)}.qcow2`,
        iformat: Format.QCOW2,
        sha256: digest(DISK).slice(7),
        maxSizeBytes: BigInt(DISK.length),
        displayName: 'debian',
        designatedNodeId: dnid,
      },
      {
        uuid: ID.ctImage,
        dsIdsList: [ID.dsReg],
        URL: 'nginx:1.27',
        iformat: Format.CONTAINER,
        sha256: MANIFEST_SHA,
        displayName: 'nginx',
        designatedNodeId: dnid,
      },
    ],
    volumes: [
      {
        uuid: ID.volDisk,
        displayName: 'db-disk',
        origin: { type: VolumeContentOriginType.VCOT_DOWNLOAD, downloadContentTreeID: ID.ctDisk },
        designatedNodeId: dnid,
      },
      {
        uuid: ID.volImage,
        displayName: 'web-image',
        origin: { type: VolumeContentOriginType.VCOT_DOWNLOAD, downloadContentTreeID: ID.ctImage },
        designatedNodeId: dnid,
      },
    ],
    apps: [
      {
        uuidandversion: { uuid: ID.web, version: '1' },
        displayname: 'web',
        fixedresources: { memory: 262144, vcpus: 1, virtualizationMode: VmMode.HVM },
        activate: true,
        interfaces: [{ name: 'eth0', networkId: ID.ni }],
        volumeRefList: [{ uuid: ID.volImage, mountDir: '/' }],
        designatedNodeId: dnid,
        affinity: AffinityType.PREFERRED,
      },
      {
        uuidandversion: { uuid: ID.db, version: '1' },
        displayname: 'db-vm',
        fixedresources: { memory: 1048576, vcpus: 2, virtualizationMode: VmMode.HVM },
        activate: true,
        interfaces: [{ name: 'eth0', networkId: ID.ni }],
        volumeRefList: [{ uuid: ID.volDisk }],
        designatedNodeId: dnid,
        affinity: AffinityType.REQUIRED,
      },
    ],
  });
}
