// The EdgeDevConfig a node gets from us. Before the cluster is planned it carries identity only (EVE keeps its
// last-resort port config); once planned it carries the port model, device_name and the EdgeNodeCluster with
// the token sealed to this node, plus the matching CipherContext in the same config (eve-api-facts §1.2, §2.3).
import { create } from '@bufbuild/protobuf';
import { type EdgeDevConfig, EdgeDevConfigSchema } from '../../gen/config/devconfig_pb.js';
import type { PhysicalIO, SystemAdapter } from '../../gen/config/devmodel_pb.js';
import { ClusterType, EdgeNodeClusterSchema, HAScheme } from '../../gen/config/edge_node_cluster_pb.js';
import type { NetworkConfig } from '../../gen/config/netconfig_pb.js';
import type { SealedToken } from '../seal/seal.js';
import type { WorkloadObjects } from '../workloads/config-objects.js';

export interface ClusterPart {
  id: string;
  name: string;
  /** Logical label of this node's cluster port. */
  interfaceLabel: string;
  /** This node's cluster IP with prefix length, e.g. 10.244.244.2/28. */
  ipPrefix: string;
  joinServerIp: string;
  sealed: SealedToken;
  masterNodeUuids: string[];
}

export interface PortModel {
  deviceIoList: PhysicalIO[];
  systemAdapterList: SystemAdapter[];
  networks: NetworkConfig[];
}

export interface DeviceConfigInput {
  uuid: string;
  name: string;
  /** Changes whenever our /certs answer changes, so EVE re-fetches it. */
  certsHash: string;
  version: string;
  ports?: PortModel;
  cluster?: ClusterPart;
  /** The cluster's workloads, identical on every node (core/workloads/config-objects.ts); only once Ready. */
  workloads?: WorkloadObjects;
}

export function buildDeviceConfig(input: DeviceConfigInput): EdgeDevConfig {
  const cfg = create(EdgeDevConfigSchema, {
    id: { uuid: input.uuid, version: input.version },
    deviceName: input.name,
    controllercertConfighash: input.certsHash,
  });
  if (input.ports) {
    cfg.deviceIoList = input.ports.deviceIoList;
    cfg.systemAdapterList = input.ports.systemAdapterList;
    cfg.networks = input.ports.networks;
  }
  if (input.cluster) {
    const c = input.cluster;
    cfg.cipherContexts = [c.sealed.context];
    cfg.cluster = create(EdgeNodeClusterSchema, {
      clusterName: c.name,
      clusterId: c.id,
      clusterInterface: c.interfaceLabel,
      clusterIpPrefix: c.ipPrefix,
      isWorkerNode: false,
      joinServerIp: c.joinServerIp,
      encryptedClusterToken: c.sealed.block,
      clusterType: ClusterType.REPLICATED_STORAGE,
      tieBreakerNodeId: '',
      // EVE ignores ha_scheme today; K3S_EMBEDDED states what we build: three k3s servers with embedded etcd.
      haScheme: HAScheme.HA_SCHEME_K3S_EMBEDDED,
      masterNodeUuids: c.masterNodeUuids,
      enableNativeK8sOrchestration: false,
    });
  }
  if (input.workloads) {
    const w = input.workloads;
    cfg.datastores = w.datastores;
    cfg.networkInstances = w.networkInstances;
    cfg.contentInfo = w.contentInfo;
    cfg.volumes = w.volumes;
    // EVE ignores apps while id.uuid is empty (parseconfig.go:661-665); id is always set above.
    cfg.apps = w.apps;
  }
  return cfg;
}
