// A manual move (eve-workloads-facts §4.5): the controller changes designated_node_id on every node. EVE updates
// the flag in place and re-points the VMIRS affinity, but never restarts a running VM for it: the app moves on
// its next drain, reboot or failure. Refused when a volume of the app cannot follow it.
import type { AppSpec, WorkloadState, WorkloadsSpec } from './model.js';
import { findNode, type WorkloadNode } from './placement.js';

export const MOVE_PENDING_EXPLANATION =
  'EVE does not restart a running VM for a designated-node change; it moves on the next drain, reboot or failure';

export type MoveResult =
  | { kind: 'moved'; state: WorkloadState; from?: string; to: string; explanation: string }
  | { kind: 'refused'; code: 'not-found' | 'conflict'; reason: string };

export function moveApp(
  state: WorkloadState,
  spec: WorkloadsSpec,
  app: string,
  toNode: string,
  ctx: { nodes: WorkloadNode[]; now: number },
): MoveResult {
  const a = spec.apps.find((x) => x.name === app);
  if (!a) return { kind: 'refused', code: 'not-found', reason: `no app ${app} in this cluster's workloads` };
  const to = findNode(ctx.nodes, toNode);
  if (!to) return { kind: 'refused', code: 'not-found', reason: `no node ${toNode} in this cluster` };
  const cur = state.apps[app];
  if (cur?.nodeUuid === to.uuid) {
    return { kind: 'refused', code: 'conflict', reason: `app ${app} is already designated on ${to.name}` };
  }
  const blocked = blockingVolume(a, spec, app);
  if (blocked) return { kind: 'refused', code: 'conflict', reason: blocked };
  const place = { nodeUuid: to.uuid, since: ctx.now, reason: 'manual' as const };
  const volumes = { ...state.volumes };
  // A replicated volume is designated on its app's node (placement.ts), so it follows the move.
  for (const v of a.volumes) volumes[v] = place;
  return {
    kind: 'moved',
    state: { ...state, apps: { ...state.apps, [app]: place }, volumes },
    ...(cur ? { from: cur.nodeUuid } : {}),
    to: to.uuid,
    explanation: MOVE_PENDING_EXPLANATION,
  };
}

/** Why a volume of the app cannot follow it: not replicated, or shared with another app. */
function blockingVolume(a: AppSpec, spec: WorkloadsSpec, app: string): string | undefined {
  for (const vname of a.volumes) {
    const v = spec.volumes.find((x) => x.name === vname);
    if (v && !v.replicated) {
      return `app ${app} mounts volume ${vname}, which is not replicated: it exists only on its node and cannot follow the app`;
    }
    const other = spec.apps.find((x) => x.name !== app && x.volumes.includes(vname));
    if (other) return `volume ${vname} is also mounted by app ${other.name}: move both by editing the site file`;
  }
  return undefined;
}
