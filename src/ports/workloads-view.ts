// What the operator side (API, UI, `eveboot status/report`, `eveboot apps move`) needs from the workload side
// (issue #13): the views of one cluster's workloads, and a manual move. Two methods, so the operator API can be
// tested against a fake named for its scenario, and the appliance wires it to the cluster service and the status
// fold (core/workloads). Facts: ../shared/docs/eve-workloads-facts.md.
import type { AppView } from '../core/workloads/model.js';

/** A network instance and what each node reports about it (ZInfoNetworkInstance, §6.4). */
export interface NetworkView {
  name: string;
  uuid: string;
  kind: 'local' | 'switch';
  port: string;
  subnet?: string;
  /** Per node: the ZNetworkInstanceState name it reported (ONLINE, ERROR …) and any error text. */
  nodes: { node: string; state?: string; error?: string }[];
}

/** A volume: where it is created and what its designated node reports (ZInfoVolume, §6.2). */
export interface VolumeView {
  name: string;
  uuid: string;
  replicated: boolean;
  designatedNode: string;
  /** ZSwState name from the designated node (only its report reflects the real PVC, §4.1). */
  state?: string;
  progressPercent?: number;
  error?: string;
}

export interface ClusterWorkloads {
  cluster: string;
  /** The cluster is Ready: workloads went (or go) into the configs. Until then everything waits (issue #13). */
  ready: boolean;
  /** Ready, but refused before anything was sent: the reasons, with site paths (empty otherwise). */
  held: string[];
  apps: AppView[];
  networks: NetworkView[];
  volumes: VolumeView[];
}

/**
 * A manual move (§4.5): accepted = designated_node_id changes on every node, but EVE does not restart a running
 * VM for it, so the move stays pending until the VM is next recreated; refused = the reason, nothing changed.
 */
export type MoveOutcome =
  | { kind: 'pending'; app: string; fromNode: string; toNode: string; explanation: string }
  | { kind: 'refused'; reason: string };

export interface WorkloadsView {
  /** undefined: no such cluster. */
  views(cluster: string): ClusterWorkloads | undefined;
  move(cluster: string, app: string, toNode: string): MoveOutcome;
}

/** What an accepted manual move means on EVE-k, in the words the API, UI and CLI all use (§4.5). */
export const MOVE_EXPLANATION =
  'EVE does not restart a running VM for this; it moves on the next drain, reboot or failure of the node it runs on. ' +
  'Until then the move is pending (designated_node_id changed on every node).';
