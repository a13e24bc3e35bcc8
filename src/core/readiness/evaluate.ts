// "K3s HA control plane ready", from observations only (k3s-facts.md): three etcd members named like the three
// devices, readyz 200 and :12346/status = cluster:<id> on all three, and, when EVE reports it, the leader's
// ZInfoKubeCluster with three READY, JOINED nodes. role_server is not evidence: EVE hard-codes it true
// (pkg/pillar/types/zedkubetypes.go). JOINED means etcd label + cluster config present, and :12346/status answers
// cluster:<id> only on etcd-labelled nodes (zedkube/clusterstatus.go; eve-conformance §3). Without a route to the
// cluster IPs readiness rests on EVE's report alone, and the result says so.
import type { ClusterPlan } from '../plan/cluster-plan.js';
import { k8sNodeName, matchMembers } from './members.js';
import type { KubeClusterView, KubeNodeView, ProbeResult } from './observation.js';

export interface ReadinessInput {
  plan: Pick<ClusterPlan, 'clusterId' | 'seedUuid' | 'nodes'>;
  /** False when no route from the appliance reaches the cluster IPs: probes are not attempted. */
  probeRoute: boolean;
  /** The latest probe of each node. */
  probes: ProbeResult[];
  /** The leader's ZInfoKubeCluster for THIS cluster (its cluster_id); a single-node report is not one. */
  kube?: KubeClusterView;
  /** ZInfoApp.cluster_app_running per device UUID, when reported. */
  apps?: Record<string, boolean>;
}

export interface NodeReadiness {
  uuid: string;
  name: string;
  member: boolean;
  live: boolean;
  ready: boolean;
  evidence: string[];
}

export interface Readiness {
  ready: boolean;
  quorum: '0/3' | '1/3' | '2/3' | '3/3';
  basis: 'probes' | 'eve' | 'none';
  evidence: string[];
  missing: string[];
  /** UUIDs: etcd members, and members with live evidence (their count is the quorum). */
  members: string[];
  liveMembers: string[];
  seedInitialised: boolean;
  nodes: NodeReadiness[];
}

type PlanNode = ReadinessInput['plan']['nodes'][number];

export function evaluateReadiness(input: ReadinessInput): Readiness {
  const { plan } = input;
  const evidence: string[] = [];
  const missing: string[] = [];
  // node_id is the node-uuid label; the K8s node name is the device name as kube-init derives it.
  const kubeOf = (n: PlanNode) => input.kube?.nodes.find((k) => k.nodeId === n.uuid || k.name === k8sNodeName(n.name));
  const eveReady = (k: KubeNodeView | undefined) => !!k && k.ready && k.admission === 'JOINED';

  const basis: Readiness['basis'] = input.probeRoute ? 'probes' : input.kube ? 'eve' : 'none';
  if (!input.probeRoute) {
    evidence.push("no route from the appliance to the cluster IPs: readiness rests on EVE's ZInfoKubeCluster alone");
  }

  // etcd membership: the longest /db/info answer from any server (every member answers the same list).
  const lists = input.probes.filter((p) => p.dbInfo.ok && p.dbInfo.members).map((p) => p.dbInfo.members!);
  const etcd = lists.sort((a, b) => b.length - a.length)[0];
  const { matched, strangers } = matchMembers(etcd ?? [], plan.nodes);
  if (etcd) evidence.push(`/db/info lists ${etcd.length} etcd member(s): ${etcd.join(', ')}`);
  for (const s of strangers) missing.push(`etcd lists member ${s}, which is none of the three devices`);

  const nodes = plan.nodes.map((n): NodeReadiness => {
    const p = input.probes.find((x) => x.uuid === n.uuid);
    const k = kubeOf(n);
    const ev: string[] = [];
    const statusOk = !!p?.status.ok && p.status.body === `cluster:${plan.clusterId}`;
    const pinOk = !!p?.cacerts.ok && p.cacerts.pin !== 'mismatch';
    if (statusOk) ev.push(':12346/status answers cluster:<id>');
    if (p?.ping.ok) ev.push('/ping pong');
    if (pinOk) ev.push(`/cacerts ${p!.cacerts.pin === 'pinned-now' ? 'pinned' : 'matches the pin'}`);
    if (p?.readyz.ok) ev.push('/v1-k3s/readyz 200');
    if (eveReady(k)) ev.push('EVE: READY, JOINED');
    if (input.apps?.[n.uuid]) ev.push('EVE: cluster_app_running');
    const inEtcd = matched.includes(n);
    if (inEtcd) ev.push('etcd member');
    if (input.probeRoute) {
      for (const m of probeGaps(n.name, p, statusOk, plan.clusterId)) missing.push(m);
      if (etcd && !inEtcd) missing.push(`${n.name}: not in the etcd member list from /db/info`);
    }
    if (input.kube) for (const m of eveGaps(n.name, k)) missing.push(m);
    const member = input.probeRoute ? inEtcd || statusOk : k?.admission === 'JOINED';
    const live = input.probeRoute ? statusOk || !!p?.ping.ok || !!p?.readyz.ok : !!k?.ready;
    const ready = input.probeRoute
      ? inEtcd && statusOk && !!p?.readyz.ok && pinOk && (!input.kube || eveReady(k))
      : eveReady(k);
    return { uuid: n.uuid, name: n.name, member, live, ready, evidence: ev };
  });

  if (input.probeRoute && input.probes.length === 0) missing.push('no probe results yet');
  if (input.probeRoute && !etcd) missing.push('no server answered /db/info: etcd membership is not yet observed');
  if (!input.kube) {
    (input.probeRoute ? evidence : missing).push('EVE has not sent ZInfoKubeCluster from an elected leader yet');
  } else {
    evidence.push(`EVE leader ${input.kube.reporter} reports ${input.kube.nodes.length} node(s)`);
    if (input.kube.clusterId && input.kube.clusterId !== plan.clusterId) {
      missing.push(`EVE reports cluster ${input.kube.clusterId}, not ${plan.clusterId}`);
    }
  }
  const members = nodes.filter((n) => n.member).map((n) => n.uuid);
  const liveMembers = nodes.filter((n) => n.member && n.live).map((n) => n.uuid);
  const quorumEvidence = input.probeRoute ? matched.length === 3 && strangers.length === 0 : basis === 'eve';
  const ready = quorumEvidence && nodes.every((n) => n.ready) && missing.length === 0;
  const seed = nodes.find((n) => n.uuid === plan.seedUuid);
  return {
    ready,
    quorum: `${liveMembers.length}/3` as Readiness['quorum'],
    basis,
    evidence,
    missing,
    members,
    liveMembers,
    seedInitialised: !!seed?.member,
    nodes,
  };
}

function probeGaps(name: string, p: ProbeResult | undefined, statusOk: boolean, clusterId: string): string[] {
  if (!p) return [`${name}: not probed yet`];
  const out: string[] = [];
  if (!statusOk) {
    const seen = p.status.ok ? `answered "${p.status.body ?? ''}"` : p.status.detail;
    out.push(`${name}: :12346/status is not cluster:${clusterId} (${seen})`);
  }
  if (!p.ping.ok) out.push(`${name}: /ping: ${p.ping.detail}`);
  if (p.cacerts.pin === 'mismatch') out.push(`${name}: /cacerts does not match the pinned CA: ${p.cacerts.detail}`);
  else if (!p.cacerts.ok) out.push(`${name}: /cacerts: ${p.cacerts.detail}`);
  if (!p.readyz.ok) out.push(`${name}: /v1-k3s/readyz: ${p.readyz.detail}`);
  return out;
}

function eveGaps(name: string, k: KubeNodeView | undefined): string[] {
  if (!k) return [`EVE: ZInfoKubeCluster does not list ${name}`];
  const out: string[] = [];
  if (!k.ready) out.push(`EVE: ${name} has no READY condition set`);
  if (k.admission !== 'JOINED') out.push(`EVE: ${name} admission is ${k.admission}, not JOINED`);
  return out;
}
