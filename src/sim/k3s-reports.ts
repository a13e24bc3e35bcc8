// What EVE reports about the cluster, built from the stand-ins: the elected leader's ZInfoKubeCluster (zedkube,
// eve-api-facts §1.3: nodes with READY, role_server, admission JOINED, node_id) and each node's ZInfoApp with
// cluster_app_running. The sim POSTs them to the appliance's info endpoint (SimDevice.sendInfo).
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  KubeNodeConditionType,
  KubePodStatus,
  KubeVMIStatus,
  NodeAdmission,
  ServiceStatus,
} from '../gen/info/edge_node_cluster_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema, ZInfoTypes } from '../gen/info/info_pb.js';
import type { Member } from './k3s-standin.js';

/** App pods and VMIs in eve-kube-app as the stand-in's scheduler has placed them (k3s-scheduler.ts). */
export interface SimKubeApps {
  pods: { name: string; nodeName: string; running: boolean; createdAt: number; ip?: string }[];
  vmis: { name: string; nodeName: string; running: boolean; createdAt: number; changedAt: number }[];
}

export interface MemberHealth {
  member: Member;
  /** The node answers (the leader sees its kubelet heartbeats). */
  up: boolean;
  /** When its READY condition last changed (default: now). */
  since?: number;
}

/**
 * As zedagent publishKubeClusterInfo (handleedgenodecluster.go) sends it from zedkube's KubeClusterInfo: per node
 * only the READY condition, role_server always true, creation time, kubelet version, InternalIP, admission, node
 * UUID; storage health with its transition time; the cluster id. pod_name_spaces is never filled.
 */
export function kubeClusterInfo(
  clusterId: string,
  nodes: MemberHealth[],
  now = Date.now(),
  apps: SimKubeApps = { pods: [], vmis: [] },
): ZInfoMsg {
  const at = timestampFromMs(now);
  return create(ZInfoMsgSchema, {
    ztype: ZInfoTypes.ZiKubeCluster,
    InfoContent: {
      case: 'clusterInfo',
      value: {
        clusterId,
        nodes: nodes.map(({ member, up, since }) => ({
          // The K8s node name: the etcd member name without K3s's random suffix.
          name: member.name.replace(/-[0-9a-f]{8}$/, ''),
          conditions: [
            { type: KubeNodeConditionType.READY, set: up, lastTransitionTime: since ? timestampFromMs(since) : at },
          ],
          roleServer: true,
          creationTimestamp: at,
          apiServerSersion: 'v1.31.5+k3s1',
          internalIp: member.ip,
          schedulable: true,
          // Cluster config present and the etcd label set (eve-api-facts §1.3, admission derivation).
          admissionStatus: NodeAdmission.JOINED,
          nodeId: member.uuid,
        })),
        storage: { health: ServiceStatus.HEALTHY, transitionTime: at },
        // kubestatscollect.go: every pod in eve-kube-app except virt-launcher-* (NOHYPER apps), and every VMI.
        eveApps: apps.pods.map((p) => ({
          name: p.name,
          status: p.running ? KubePodStatus.RUNNING : KubePodStatus.PENDING,
          creationTimestamp: timestampFromMs(p.createdAt),
          ...(p.ip ? { ipAddress: p.ip } : {}),
          nodeName: p.nodeName,
        })),
        eveVmApps: apps.vmis.map((v) => ({
          name: v.name,
          status: v.running ? KubeVMIStatus.KUBE_VMI_STATUS_RUNNING : KubeVMIStatus.KUBE_VMI_STATUS_PENDING,
          creationTime: timestampFromMs(v.createdAt),
          lastTransitionTime: timestampFromMs(v.changedAt),
          isReady: v.running,
          nodeName: v.nodeName,
        })),
      },
    },
  });
}

export function clusterAppInfo(appId: string, appName: string, running: boolean): ZInfoMsg {
  return create(ZInfoMsgSchema, {
    ztype: ZInfoTypes.ZiApp,
    InfoContent: { case: 'ainfo', value: { AppID: appId, AppName: appName, clusterAppRunning: running } },
  });
}
