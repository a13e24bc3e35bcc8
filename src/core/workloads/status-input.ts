// Gathers what the status logic reads from the store for one cluster: the nodes' stored ZInfoApp and
// ZInfoContentTree reports (one per object per device, workload.<kind>/<uuid>), the newest ZInfoKubeCluster of
// our cluster from its leader, and each node's last contact. Then appViews / recordMoves do the deciding.

import { fromJsonString } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { KubeNodeConditionType, KubePodStatus, KubeVMIStatus } from '../../gen/info/edge_node_cluster_pb.js';
import { type ZInfoMsg, ZInfoMsgSchema } from '../../gen/info/info_pb.js';
import type { ClusterRecord, Store } from '../../ports/store.js';
import { claimFromReport, contentFromReport } from './info-reports.js';
import type { LeaderView } from './leader-apps.js';
import type { NodeLiveness } from './liveness.js';
import type { WorkloadsSpec } from './model.js';
import { recordMoves } from './moves.js';
import { appViews, type StatusInput } from './status.js';

/** The nodes of a cluster as the status side needs them: UUID and name. */
export interface StatusNode {
  uuid: string;
  name: string;
}

/** From a stored `info.ZiKubeCluster` report: the leader's nodes and its eve_apps / eve_vm_apps (§6.5). */
export function leaderFromReport(
  json: string,
  reporter: string,
  storedAt: number,
  clusterId: string,
): LeaderView | undefined {
  let msg: ZInfoMsg;
  try {
    msg = fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
  } catch {
    return undefined;
  }
  if (msg.InfoContent.case !== 'clusterInfo' || msg.InfoContent.value.clusterId !== clusterId) return undefined;
  const k = msg.InfoContent.value;
  const ms = (t?: Parameters<typeof timestampMs>[0]) => (t ? Number(timestampMs(t)) : undefined);
  return {
    reporter,
    at: ms(msg.atTimeStamp) ?? storedAt,
    nodes: k.nodes.map((n) => {
      const ready = n.conditions.find((c) => c.type === KubeNodeConditionType.READY);
      const since = ms(ready?.lastTransitionTime);
      return { name: n.name, nodeId: n.nodeId, ready: ready?.set ?? false, ...(since ? { readySince: since } : {}) };
    }),
    workloads: [
      ...k.eveApps.map((p) => ({ name: p.name, nodeName: p.nodeName, running: p.status === KubePodStatus.RUNNING })),
      ...k.eveVmApps.map((v) => ({
        name: v.name,
        nodeName: v.nodeName,
        running: v.status === KubeVMIStatus.KUBE_VMI_STATUS_RUNNING && v.isReady,
      })),
    ],
  };
}

/** Claims, content progress, the leader's view and node liveness for one cluster, from the store. */
export function statusFromStore(
  store: Store,
  cluster: { id: string; nodes: StatusNode[] },
): Pick<StatusInput, 'claims' | 'content' | 'leader' | 'nodes'> {
  const out: Pick<StatusInput, 'claims' | 'content' | 'nodes'> & { leader?: LeaderView } = {
    claims: [],
    content: [],
    nodes: [],
  };
  for (const n of cluster.nodes) {
    for (const r of store.latestReports(n.uuid)) {
      if (r.kind.startsWith('workload.app/')) {
        const c = claimFromReport(r.json, n.uuid, r.at);
        if (c) out.claims.push(c);
      } else if (r.kind.startsWith('workload.content/')) {
        const c = contentFromReport(r.json, n.uuid, r.at);
        if (c) out.content.push(c);
      } else if (r.kind === 'info.ZiKubeCluster') {
        const l = leaderFromReport(r.json, n.uuid, r.at, cluster.id);
        if (l && (!out.leader || l.at > out.leader.at)) out.leader = l;
      }
    }
  }
  out.nodes = cluster.nodes.map((n): NodeLiveness => {
    const d = store.deviceByUuid(n.uuid);
    const k = out.leader?.nodes.find((x) => x.nodeId === n.uuid);
    return {
      uuid: n.uuid,
      name: n.name,
      ...(d?.lastContactAt !== undefined ? { lastContactAt: d.lastContactAt } : {}),
      ...(k ? { leaderReady: { ready: k.ready, ...(k.readySince ? { since: k.readySince } : {}) } } : {}),
    };
  });
  return out;
}

export interface WorkloadStatusOptions {
  spec: WorkloadsSpec;
  now: number;
  silenceMs?: number;
  graceMs?: number;
}

/**
 * The views of a cluster's apps, with any new move persisted into ClusterRecord.workloads (so the history
 * survives a restart and a replay adds nothing). Returns the moves added by this call.
 */
export function refreshWorkloadStatus(
  store: Store,
  record: ClusterRecord,
  nodes: StatusNode[],
  o: WorkloadStatusOptions,
) {
  const input: StatusInput = {
    clusterId: record.id,
    now: o.now,
    spec: o.spec,
    ...(record.workloads ? { state: record.workloads } : {}),
    ...statusFromStore(store, { id: record.id, nodes }),
    ...(o.silenceMs !== undefined ? { silenceMs: o.silenceMs } : {}),
    ...(o.graceMs !== undefined ? { graceMs: o.graceMs } : {}),
  };
  const moved = recordMoves(input);
  if (moved.changed && record.workloads) {
    store.tx(() => {
      const fresh = store.cluster(record.name);
      if (fresh)
        store.putCluster({
          ...fresh,
          workloads: { ...(fresh.workloads ?? moved.state), running: moved.state.running, moves: moved.state.moves },
        });
    });
  }
  return { views: appViews({ ...input, state: moved.state }), added: moved.added };
}
