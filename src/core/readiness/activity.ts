// Cluster-mode activity: anything showing that some node has left EVE-k's single-node first boot and entered
// cluster mode. EVE-k boots single-node, and switches to cluster mode only after Longhorn, KubeVirt and CDI are up
// (pkg/kube/kube-init/monitor/monitor.go); a joiner fixes its join URL when it starts waiting (pkg/kube/k3s/
// config.go). So once any node shows one of these, moving the seed can only split etcd or strand the joiners.
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { parseIpv4, parsePrefix, prefixContains } from '../plan/ipv4.js';
import type { KubeClusterView, ProbeResult } from './observation.js';

export interface ActivityInput {
  plan: Pick<ClusterPlan, 'clusterId' | 'prefix' | 'nodes'>;
  /** The latest probe of each node's cluster IP (empty without a route). */
  probes: ProbeResult[];
  /** Every device's latest ZInfoKubeCluster, whatever its cluster_id. */
  kube: KubeClusterView[];
  /** Device UUID → the IPv4 addresses EVE reports on its ports (ZInfoDevice, current port config). */
  portAddrs: Record<string, string[]>;
  /** ZInfoApp.cluster_app_running per device UUID. */
  apps: Record<string, boolean>;
}

/** Node admissions that involve the cluster config (eve-api-facts §1.3): all but NOT_CLUSTERED (and unset). */
const CLUSTERED = new Set(['JOINING', 'JOINED', 'LEAVING']);

/** One sentence per observation of cluster-mode activity; empty when every node still looks single-node. */
export function clusterActivity(input: ActivityInput): string[] {
  const { plan } = input;
  const out: string[] = [];
  const nameOf = (uuid: string) => plan.nodes.find((n) => n.uuid === uuid)?.name ?? uuid;
  const prefix = parsePrefix(plan.prefix);
  for (const n of plan.nodes) {
    // EVE adds cluster_ip_prefix to the cluster port when it applies the cluster config (eve-api-facts §5.1).
    const inPrefix = (input.portAddrs[n.uuid] ?? []).filter(
      (a) => prefix !== undefined && prefixContains(prefix, parseIpv4(a) ?? -1),
    );
    if (inPrefix.length > 0) out.push(`${n.name} reports cluster address ${inPrefix.join(', ')} on a port`);
    const p = input.probes.find((x) => x.uuid === n.uuid);
    // zedkube and K3s serve on the cluster IP, which exists only in cluster mode: any answer counts.
    if (p?.status.ok) out.push(`${n.name}: :12346/status answered "${p.status.body ?? ''}"`);
    if (p?.ping.ok) out.push(`${n.name}: K3s answers /ping on ${n.ip}`);
    if (input.apps[n.uuid]) out.push(`${n.name}: EVE reports cluster_app_running`);
  }
  for (const k of input.kube) {
    if (k.clusterId === plan.clusterId) out.push(`${nameOf(k.reporter)}: ZInfoKubeCluster for cluster ${k.clusterId}`);
    for (const node of k.nodes.filter((x) => CLUSTERED.has(x.admission))) {
      out.push(`${nameOf(k.reporter)}: ZInfoKubeCluster lists ${node.name} as ${node.admission}`);
    }
  }
  return out;
}
