// What the watcher observes, as plain JSON: one probe result per node (adapters/k3s-probe.ts) and the leader's
// ZInfoKubeCluster reduced to the fields readiness needs (eve-api-facts §1.3). No token is ever part of these.
import { fromJsonString } from '@bufbuild/protobuf';
import { KubeNodeConditionType, NodeAdmission } from '../../gen/info/edge_node_cluster_pb.js';
import { type ZInfoKubeCluster, ZInfoMsgSchema } from '../../gen/info/info_pb.js';
import { currentPorts } from '../plan/observe.js';

export interface Check {
  ok: boolean;
  /** Human text: what was asked and what came back (status code, body, or the error). */
  detail: string;
  httpStatus?: number;
}

export interface ProbeResult {
  uuid: string;
  name: string;
  /** The cluster IP probed (the logical address, also when a mapping sent the packets elsewhere). */
  ip: string;
  at: number;
  /** :12346/status (zedkube): `cluster:<cluster_id>` only on an etcd + control-plane member. */
  status: Check & { body?: string };
  ping: Check;
  /** /cacerts: SHA-256 (hex) of the bundle and how it compared with the pin. */
  cacerts: Check & { sha256?: string; pin?: 'pinned-now' | 'match' | 'mismatch' };
  readyz: Check;
  /** /db/info: etcd member names. */
  dbInfo: Check & { members?: string[] };
}

// role_server is not read: EVE hard-codes it true (pkg/pillar/types/zedkubetypes.go), so it proves nothing
// (eve-conformance §3). Admission JOINED is what counts: etcd label + cluster config present.
export interface KubeNodeView {
  name: string;
  nodeId: string;
  internalIp: string;
  ready: boolean;
  admission: string;
}

export interface KubeClusterView {
  at: number;
  /** The device that sent it: the elected leader. */
  reporter: string;
  clusterId: string;
  nodes: KubeNodeView[];
}

export function kubeClusterView(msg: ZInfoKubeCluster, reporter: string, at: number): KubeClusterView {
  return {
    at,
    reporter,
    clusterId: msg.clusterId,
    nodes: msg.nodes.map((n) => ({
      name: n.name,
      nodeId: n.nodeId,
      internalIp: n.internalIp,
      ready: n.conditions.some((c) => c.type === KubeNodeConditionType.READY && c.set),
      admission: NodeAdmission[n.admissionStatus] ?? String(n.admissionStatus),
    })),
  };
}

/**
 * From a stored info report (Store.latestReports, kind `info.ZiKubeCluster`): the controller keeps each ZInfoMsg
 * as protobuf JSON. Undefined when the JSON holds something else.
 */
export function kubeClusterFromReport(json: string, reporter: string, at: number): KubeClusterView | undefined {
  try {
    const msg = fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
    return msg.InfoContent.case === 'clusterInfo' ? kubeClusterView(msg.InfoContent.value, reporter, at) : undefined;
  } catch {
    return undefined;
  }
}

/** ZInfoApp.cluster_app_running from a stored `info.ZiApp` report, if that is what it holds. */
export function appRunningFromReport(json: string): boolean | undefined {
  try {
    const msg = fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
    return msg.InfoContent.case === 'ainfo' ? msg.InfoContent.value.clusterAppRunning : undefined;
  } catch {
    return undefined;
  }
}

/** The IPv4 addresses a stored `info.ZiDevice` report shows on the ports of EVE's current port config. */
export function portAddressesFromReport(json: string): string[] {
  try {
    const msg = fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
    if (msg.InfoContent.case !== 'dinfo') return [];
    return currentPorts(msg.InfoContent.value).flatMap((p) => p.IPAddrs.filter((a) => !a.includes(':')));
  } catch {
    return [];
  }
}
