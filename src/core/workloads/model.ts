// The workload model shared by the site schema, the per-node config builder, status ingestion, migration and
// the UI (issue #13). Facts: ../shared/docs/eve-workloads-facts.md (§ numbers below are its sections).
// Types only, plus the stable UUID rule: every workload object goes to every node with the same UUID (§1).
import { nameUuid } from '../plan/port-model.js';

/** A network instance as the operator declares it (§2.5). */
export interface NetworkSpec {
  name: string;
  /** local = NAT with our own DHCP on the node (needs a subnet); switch = bridged onto the port. */
  kind: 'local' | 'switch';
  /** Logical port label the NI uplinks to (e.g. eth1); every node it is placed on must have it. */
  port: string;
  /** local only: the NI's IPv4 subnet, e.g. 10.1.0.0/24. */
  subnet?: string;
}

/** A volume (§2.3, §5). Replicated volumes are created only on their designated node. */
export interface VolumeSpec {
  name: string;
  /** Blank volume of this size … */
  sizeBytes?: number;
  /** … or a volume made from an imported image (name or sha256:… of `eveboot apps import`). */
  image?: string;
  replicated: boolean;
  /** Node name that creates it; defaults to the designated node of the (first) app that mounts it. */
  node?: string;
}

export type Affinity = 'preferred' | 'required';

/** An app instance (§2.4, §4.2). */
export interface AppSpec {
  name: string;
  kind: 'container' | 'vm';
  /** Imported image (name or sha256:…). Containers come from our OCI registry, VM disks from the HTTP datastore. */
  image: string;
  vcpus: number;
  memoryMiB: number;
  /** Network names (NetworkSpec.name), one interface each, in order. */
  networks: string[];
  /** Volume names mounted by the app, in order. */
  volumes: string[];
  /** Designated node by name, or 'auto' (least loaded at first placement; then kept, persisted). */
  node: string | 'auto';
  affinity: Affinity;
}

export interface WorkloadsSpec {
  networks: NetworkSpec[];
  volumes: VolumeSpec[];
  apps: AppSpec[];
}

/** An image imported with `eveboot apps import`, stored content-addressed under the state dir. */
export interface ImageRecord {
  name: string;
  /** hex SHA-256 of the stored file (VM disk) or of the OCI manifest (container). */
  sha256: string;
  format: 'oci' | 'qcow2' | 'raw';
  /**
   * Exact byte size of the served file (VM disks: maxSizeBytes must equal it, §3.3). oci: the sum of all its blobs
   * (what one node downloads at most); a registry content tree sends maxSizeBytes 0 as EVE's harness does (§2.6).
   */
  sizeBytes: number;
  /** oci only: the tag it is served under in our registry (the archive's ref name, else 'latest'). */
  tag?: string;
  /** qcow2/raw only: the disk size the guest sees (qcow2 header; the file size for raw). */
  virtualSizeBytes?: number;
  importedAt: number;
}

/**
 * Where our servers serve imported images (§3). VM disks: plain HTTP datastore, GET/HEAD with Range at
 * `/<HTTP_DATASTORE_DPATH>/<sha256>.<format>`; containers: read-only OCI registry (Distribution API, plain HTTP,
 * which EVE's go-containerregistry uses for RFC1918 IPs) at `<host:port>/<REGISTRY_NAMESPACE>/<name>:<tag>`.
 */
export const HTTP_DATASTORE_DPATH = 'eveboot/images';
export const REGISTRY_NAMESPACE = 'eveboot';

/** The endpoints the datastores point at: fqdn values as EVE wants them (§2.1: scheme required). */
export interface ImageEndpoints {
  /** http://<advertise>:<port> of the server that serves HTTP_DATASTORE_DPATH. */
  httpFqdn: string;
  /** docker://<advertise>:<port> of the registry. */
  registryFqdn: string;
}

/** ContentTree.URL for an image, relative to its datastore's dpath (§3.1, §2.6). */
export function imageContentUrl(img: ImageRecord): string {
  return img.format === 'oci' ? `${img.name}:${img.tag ?? 'latest'}` : `${img.sha256}.${img.format}`;
}

/** Read side of the image store, for schema checks and the config builder. */
export interface ImageCatalog {
  images(): ImageRecord[];
  /** By name or `sha256:<hex>`. */
  find(ref: string): ImageRecord | undefined;
}

/**
 * Bytes of an image our servers sent to one client (per node download progress, seen from the appliance;
 * EVE's own view is ZInfoContentTree.progressPercentage, §3.5). Byte ranges re-sent count once.
 */
export interface ImageDownloads {
  /** Distinct bytes of the image (every blob of it, for OCI) served to `clientIp`; 0 when nothing was. */
  servedBytes(imageSha: string, clientIp: string): number;
}

/** What the status side knows from one node about one app (ZInfoApp, §6.1). */
export interface AppClaim {
  appUuid: string;
  /** The reporting device. */
  deviceUuid: string;
  /** ZSwState number as EVE sent it. */
  state: number;
  clusterAppRunning: boolean;
  /** ZInfoMsg.atTimeStamp in ms (the newest claim wins, §6.1). */
  at: number;
  error?: string;
}

/** One move of an app between nodes, as the UI shows it. */
export interface AppMove {
  fromNode: string;
  toNode: string;
  /** When the app was last seen running on fromNode / first seen running on toNode (ms). */
  lostAt: number;
  runningAt: number;
  reason: 'failover' | 'manual' | 'unknown';
}

/** How an app looks to the operator (UI Workloads panel, `eveboot status`, the report). */
export interface AppView {
  name: string;
  uuid: string;
  kind: AppSpec['kind'];
  affinity: Affinity;
  designatedNode: string;
  /** Node the app runs on, from the newest ZInfoApp claim cross-checked with ZInfoKubeCluster. */
  effectiveNode?: string;
  /**
   * waiting: the cluster is not Ready, nothing sent; deploying: sent, not running yet; running; stale: the
   * newest claim is older than its node's last contact or contradicted by the leader; conflict: two nodes claim
   * it; down-with-node: required app whose node is lost (it does not fail over, §4.2); moving: preferred app
   * whose node is lost (eviction after ~55 s, §4.3).
   */
  phase: 'waiting' | 'deploying' | 'running' | 'stale' | 'conflict' | 'down-with-node' | 'moving' | 'error';
  /** Why, in words an operator can act on. */
  detail?: string;
  /** ZSwState name of the newest claim. */
  state?: string;
  /** Download progress of the app's content (0–100), when known. */
  downloadPercent?: number;
  /** A manual move recorded but not yet effective: EVE does not restart a running VM for it (§4.5). */
  pendingMove?: { toNode: string; since: number; explanation: string };
  moves: AppMove[];
}

/** The stable UUID of a workload object: derived from the cluster id, the object kind and its name. */
export function workloadUuid(
  clusterId: string,
  kind: 'network' | 'volume' | 'app' | 'content' | 'datastore',
  name: string,
): string {
  return nameUuid(clusterId, `workload/${kind}/${name}`);
}

/** A designated-node decision for one app or volume. */
export interface Placement {
  nodeUuid: string;
  since: number;
  /** declared: the site names the node; auto: least loaded at first deployment; manual: operator move (§4.5). */
  reason: 'declared' | 'auto' | 'manual';
}

/**
 * What eveboot remembers about a cluster's workloads, persisted inside ClusterRecord.workloads (a JSON document
 * in SQLite and PostgreSQL alike), so a restart mid-deployment resumes with the same placements and history.
 */
export interface WorkloadState {
  /** When the cluster was first Ready and workloads went into the configs; absent while waiting. */
  deployedAt?: number;
  /** Designated node per app name. */
  apps: Record<string, Placement>;
  /** Designated node per volume name. */
  volumes: Record<string, Placement>;
  /**
   * The workloads the appliance serves for this cluster, as the site declared them at the last serve start, so
   * `eveboot status` and `eveboot report` show workloads from the state directory alone.
   */
  spec?: WorkloadsSpec;
  /** Observed moves per app name, oldest first (derived from status claims; kept so history survives). */
  moves: Record<string, AppMove[]>;
  /**
   * Where each app was last seen running (node UUID), since when, and the last time that was still true: what a
   * move is detected against after a restart (core/workloads/moves.ts). Absent in states written before it.
   */
  running?: Record<string, { nodeUuid: string; since: number; lastSeen: number }>;
}

/**
 * Where workload status lives: ZInfoApp / ZInfoVolume / ZInfoContentTree / ZInfoNetworkInstance are stored as
 * device reports (Store.addReport) with one kind per object, so the latest of each object per device is kept.
 */
export function statusReportKind(kind: 'app' | 'volume' | 'content' | 'network', objectUuid: string): string {
  return `workload.${kind}/${objectUuid}`;
}
