// The workload part of every node's EdgeDevConfig (eve-workloads-facts §1, §2.6). EVE's cluster rule
// (pkg/pillar/docs/failover.md) is that NIs, datastores, content trees, volumes and apps go identically, with the
// same UUIDs, to all nodes; each node reads its role from designated_node_id, which names the designated node's
// device UUID and so is the same value everywhere (§4.1). One object set per cluster, sent to each node.
import { create } from '@bufbuild/protobuf';
import { ACESchema } from '../../gen/config/acl_pb.js';
import { AffinityType, type AppInstanceConfig, AppInstanceConfigSchema } from '../../gen/config/appconfig_pb.js';
import { NetworkAdapterSchema } from '../../gen/config/netconfig_pb.js';
import {
  AddressType,
  type NetworkInstanceConfig,
  NetworkInstanceConfigSchema,
  ZNetworkInstType,
} from '../../gen/config/netinst_pb.js';
import {
  type ContentTree,
  ContentTreeSchema,
  type DatastoreConfig,
  DatastoreConfigSchema,
  DsType,
  Format,
  type Volume,
  VolumeContentOriginType,
  VolumeSchema,
} from '../../gen/config/storage_pb.js';
import { VmMode } from '../../gen/config/vm_pb.js';
import { PhyIoType } from '../../gen/evecommon/devmodelcommon_pb.js';
import {
  HTTP_DATASTORE_DPATH,
  type ImageCatalog,
  type ImageEndpoints,
  type ImageRecord,
  imageContentUrl,
  type NetworkSpec,
  REGISTRY_NAMESPACE,
  type WorkloadState,
  type WorkloadsSpec,
} from './model.js';
import { type WorkloadUuids, workloadUuids } from './uuids.js';

export interface WorkloadObjects {
  networkInstances: NetworkInstanceConfig[];
  datastores: DatastoreConfig[];
  contentInfo: ContentTree[];
  volumes: Volume[];
  apps: AppInstanceConfig[];
}

export interface WorkloadConfigInput {
  clusterId: string;
  spec: WorkloadsSpec;
  /** Placements from placeWorkloads: every app and volume has one. */
  state: WorkloadState;
  catalog: ImageCatalog;
  endpoints: ImageEndpoints;
}

export type WorkloadBuild = { kind: 'ok'; objects: WorkloadObjects } | { kind: 'held'; reasons: string[] };

/** Object version we send; EVE keys objects by UUID and compares content, so it stays '1'. */
const VERSION = '1';
const KIB_PER_MIB = 1024;

export function buildWorkloadObjects(input: WorkloadConfigInput): WorkloadBuild {
  const { spec, state, catalog } = input;
  const ids = workloadUuids(input.clusterId, spec);
  const reasons: string[] = [];
  const image = (ref: string, path: string): ImageRecord | undefined => {
    const img = catalog.find(ref);
    if (!img) reasons.push(`${path}: image ${ref} is not imported: run eveboot apps import FILE first`);
    return img;
  };
  const node = (kind: 'apps' | 'volumes', name: string): string => {
    const p = state[kind][name];
    if (!p) reasons.push(`workloads.${kind}: ${name} has no designated node yet`);
    return p?.nodeUuid ?? '';
  };
  const out: WorkloadObjects = { networkInstances: [], datastores: [], contentInfo: [], volumes: [], apps: [] };
  out.networkInstances = spec.networks.map((n) => networkInstance(n, ids.networks[n.name]!));
  spec.volumes.forEach((v, i) => {
    const dnid = node('volumes', v.name);
    const img = v.image ? image(v.image, `workloads.volumes.${i}.image`) : undefined;
    const ct = img ? content(ids.volumeContent[v.name]!, img, dnid, ids) : undefined;
    if (ct) out.contentInfo.push(ct);
    out.volumes.push(volume(ids.volumes[v.name]!, v.name, dnid, ct?.uuid, v.sizeBytes));
  });
  spec.apps.forEach((a, i) => {
    const dnid = node('apps', a.name);
    const img = image(a.image, `workloads.apps.${i}.image`);
    if (!img) return;
    const root = ids.appRoot[a.name]!;
    const ct = content(root.content, img, dnid, ids);
    out.contentInfo.push(ct);
    out.volumes.push(volume(root.volume, `${a.name}-root`, dnid, ct.uuid));
    const container = a.kind === 'container';
    out.apps.push(
      create(AppInstanceConfigSchema, {
        uuidandversion: { uuid: ids.apps[a.name]!, version: VERSION },
        displayname: a.name,
        fixedresources: {
          memory: a.memoryMiB * KIB_PER_MIB,
          vcpus: a.vcpus,
          // EVE-k: NOHYPER would be a privileged pod ReplicaSet; HVM runs a container in EVE's shim VMI, as EVE's
          // own test harness deploys containers (§2.6 (a), KV:386-395), and a VM disk as a KubeVirt VMI.
          virtualizationMode: VmMode.HVM,
        },
        activate: true,
        interfaces: a.networks.map((net, k) =>
          create(NetworkAdapterSchema, {
            name: `eth${k}`,
            networkId: ids.networks[net] ?? '',
            // Every VIF ends in an implicit drop-all; one ACE without actions allows all IPv4 (§2.4, NETWORK-ACLS.md).
            acls: [create(ACESchema, { id: 1, matches: [{ type: 'ip', value: '0.0.0.0/0' }] })],
          }),
        ),
        // The first ref is the root disk / container image; refs pair with volumes by uuid#generation (§2.3).
        volumeRefList: [
          { uuid: root.volume, generationCount: 0n, mountDir: container ? '/' : '' },
          ...a.volumes.map((v) => ({
            uuid: ids.volumes[v] ?? '',
            generationCount: 0n,
            mountDir: container ? `/mnt/${v}` : '',
          })),
        ],
        designatedNodeId: dnid,
        affinity: a.affinity === 'required' ? AffinityType.REQUIRED : AffinityType.PREFERRED,
      }),
    );
  });
  out.datastores = datastores(out.contentInfo, ids, input.endpoints);
  return reasons.length > 0 ? { kind: 'held', reasons: [...new Set(reasons)] } : { kind: 'ok', objects: out };
}

function networkInstance(n: NetworkSpec, uuid: string): NetworkInstanceConfig {
  const base = { uuidandversion: { uuid, version: VERSION }, displayname: n.name, activate: true };
  if (n.kind === 'switch') {
    // §2.6 (c): a switch NI names the port to bridge by logical label, type PhyIoNetEth; ipType stays 0.
    return create(NetworkInstanceConfigSchema, {
      ...base,
      instType: ZNetworkInstType.ZnetInstSwitch,
      port: { type: PhyIoType.PhyIoNetEth, name: n.port },
    });
  }
  // A local NI needs ipType IPV4 and a subnet; gateway and DHCP range default from it (parseIpspec).
  return create(NetworkInstanceConfigSchema, {
    ...base,
    instType: ZNetworkInstType.ZnetInstLocal,
    port: { name: n.port },
    ipType: AddressType.IPV4,
    ip: { subnet: n.subnet ?? '' },
  });
}

function content(uuid: string, img: ImageRecord, dnid: string, ids: WorkloadUuids): ContentTree {
  const oci = img.format === 'oci';
  return create(ContentTreeSchema, {
    uuid,
    // A registry datastore must be the only entry of the list (VM/ updatestatus.go:50-58).
    dsIdsList: [oci ? ids.datastores.registry : ids.datastores.http],
    URL: imageContentUrl(img),
    iformat: oci ? Format.CONTAINER : img.format === 'qcow2' ? Format.QCOW2 : Format.RAW,
    // Registry: the manifest digest pins the content (no tag resolution); HTTP: the file's SHA-256 (§2.2, §3.3).
    sha256: img.sha256.toLowerCase(),
    // HTTP: exactly the file size, or EVE aborts the download (§3.3). Registry: 0 = no limit, the size comes from
    // the registry (eve-libs zedUpload/ociutil/oci.go PullBlob), and the digest is verified on the manifest bytes.
    maxSizeBytes: oci ? 0n : BigInt(img.sizeBytes),
    displayName: img.name,
    designatedNodeId: dnid,
  });
}

function volume(uuid: string, name: string, dnid: string, contentUuid?: string, sizeBytes?: number): Volume {
  return create(VolumeSchema, {
    uuid,
    origin: contentUuid
      ? { type: VolumeContentOriginType.VCOT_DOWNLOAD, downloadContentTreeID: contentUuid }
      : { type: VolumeContentOriginType.VCOT_BLANK },
    generationCount: 0n,
    // Blank: the PVC size; downloaded: EVE takes max(this, image sizes), so 0 is enough (KA vitoapiserver.go).
    maxsizebytes: BigInt(sizeBytes ?? 0),
    displayName: name,
    designatedNodeId: dnid,
  });
}

function datastores(trees: ContentTree[], ids: WorkloadUuids, ep: ImageEndpoints): DatastoreConfig[] {
  const used = new Set(trees.flatMap((t) => t.dsIdsList));
  const out: DatastoreConfig[] = [];
  if (used.has(ids.datastores.http)) {
    // EVE keeps only scheme://host:port of fqdn for HTTP and joins dpath + URL (§3.1).
    out.push(
      create(DatastoreConfigSchema, {
        id: ids.datastores.http,
        dType: DsType.DsHttp,
        fqdn: ep.httpFqdn,
        dpath: HTTP_DATASTORE_DPATH,
      }),
    );
  }
  if (used.has(ids.datastores.registry)) {
    // docker://<ip>:<port>: go-containerregistry speaks plain HTTP to an RFC1918 or loopback IP (§3.4).
    out.push(
      create(DatastoreConfigSchema, {
        id: ids.datastores.registry,
        dType: DsType.DsContainerRegistry,
        fqdn: ep.registryFqdn,
        dpath: REGISTRY_NAMESPACE,
      }),
    );
  }
  return out;
}
