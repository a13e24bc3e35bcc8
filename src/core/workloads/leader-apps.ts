// Which node runs which app, as the elected kube-stats leader sees it (ZInfoKubeCluster eve_apps / eve_vm_apps,
// eve-workloads-facts §6.5), and the K8s object names EVE gives an app (§4.6), so a pod or VMI name can be tied
// back to the app that owns it.

/** One pod or VMI in namespace eve-kube-app as the leader reports it. */
export interface LeaderWorkload {
  /** Pod name (eve_apps, NOHYPER pods) or VMI name (eve_vm_apps: VM apps and container shims). */
  name: string;
  /** K8s node name (pod.spec.nodeName / vmi.status.nodeName); empty while unscheduled. */
  nodeName: string;
  running: boolean;
}

/** The leader's ZInfoKubeCluster, reduced to what placement needs. */
export interface LeaderView {
  /** The reporting device (the leader) and ZInfoMsg.atTimeStamp in ms. */
  reporter: string;
  at: number;
  /** K8s node name → EVE device UUID (nodes[].name / nodes[].node_id, eve-api-facts §1.3). */
  nodes: { name: string; nodeId: string; ready: boolean; readySince?: number }[];
  workloads: LeaderWorkload[];
}

/** Longest app part of a K8s name (pkg/pillar/base/kubevirt.go:20-30). */
const KUBE_NAME_MAX = 26;

/**
 * The app part EVE derives from its display name (§4.6): `_` → `-`, characters outside [a-zA-Z0-9-.] dropped,
 * runs of `.`/`-` collapsed to one, lower-cased, cut to 26 characters; then `-` + the app UUID's first 5
 * characters. The purge counter (`-<n>`) and the object's random suffix follow.
 */
export function kubeAppPrefix(displayName: string, appUuid: string): string {
  const base = displayName
    .replaceAll('_', '-')
    .replace(/[^a-zA-Z0-9.-]/g, '')
    .replace(/[.-]{2,}/g, (run) => run[0]!)
    .toLowerCase()
    .slice(0, KUBE_NAME_MAX);
  return `${base}-${appUuid.slice(0, 5)}`;
}

/** The K8s app name with its purge counter: what VMIs (`<name>-<5 random>`) and pods start with. */
export function kubeAppName(displayName: string, appUuid: string, purgeCounter = 0): string {
  return `${kubeAppPrefix(displayName, appUuid)}-${purgeCounter}`;
}

/** Whether a pod/VMI name belongs to the app, whatever its purge counter. */
export function ownsWorkload(prefix: string, objectName: string): boolean {
  if (!objectName.startsWith(`${prefix}-`)) return false;
  // <prefix>-<purge counter>-<suffix>; virt-launcher pods never appear here (eve_apps leaves them out).
  return /^\d+-[a-z0-9-]+$/.test(objectName.slice(prefix.length + 1));
}

/** Where the leader places the app: the device UUID of the node its running pod/VMI is on, if any. */
export function leaderPlacement(
  leader: LeaderView | undefined,
  displayName: string,
  appUuid: string,
): { nodeUuid?: string; listed: boolean } {
  if (!leader) return { listed: false };
  const prefix = kubeAppPrefix(displayName, appUuid);
  const mine = leader.workloads.filter((w) => ownsWorkload(prefix, w.name));
  const on = mine.find((w) => w.running && w.nodeName !== '');
  const node = on ? leader.nodes.find((n) => n.name === on.nodeName) : undefined;
  return node?.nodeId ? { nodeUuid: node.nodeId, listed: true } : { listed: mine.length > 0 };
}
