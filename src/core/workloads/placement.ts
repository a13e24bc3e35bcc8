// Designated nodes for apps and volumes (eve-workloads-facts §4.1): decided once, at the first deployment after
// the cluster is Ready, then kept in WorkloadState so a restart never moves anything. Pure: `now` comes in.
import type { AppSpec, Placement, VolumeSpec, WorkloadState, WorkloadsSpec } from './model.js';

/** A cluster node as the placement sees it: the device UUID, its device_name and other names (serials). */
export interface WorkloadNode {
  uuid: string;
  name: string;
  aliases: string[];
}

export type Placed = { kind: 'ok'; state: WorkloadState } | { kind: 'held'; reasons: string[] };

export function emptyWorkloadState(): WorkloadState {
  return { apps: {}, volumes: {}, moves: {} };
}

/** The node a site reference (device name, serial, soft serial or UUID) names, if any. */
export function findNode(nodes: WorkloadNode[], ref: string): WorkloadNode | undefined {
  return nodes.find((n) => n.uuid === ref || n.name === ref || n.aliases.includes(ref));
}

/**
 * Placements for every app and volume of the spec. Kept: an existing placement on a node that still exists
 * (an operator move stays until the site names another node). New: the declared node, else the node of a
 * non-replicated volume the app mounts, else the least loaded node (memory, then app count, then plan order).
 * A replicated volume is designated on its first app's node; a non-replicated one on its declared node, else its
 * first app's node at first placement.
 */
export function placeWorkloads(spec: WorkloadsSpec, prev: WorkloadState, nodes: WorkloadNode[], now: number): Placed {
  const reasons: string[] = [];
  const live = (p: Placement | undefined) => (p && nodes.some((n) => n.uuid === p.nodeUuid) ? p : undefined);
  const apps: Record<string, Placement> = {};
  const volumes: Record<string, Placement> = {};
  const declaredVolume = (v: VolumeSpec, i: number): Placement | undefined => {
    if (!v.node) return undefined;
    const n = findNode(nodes, v.node);
    if (!n) reasons.push(`workloads.volumes.${i}.node: no node ${v.node} in this cluster`);
    return n ? { nodeUuid: n.uuid, since: now, reason: 'declared' } : undefined;
  };
  // Non-replicated volumes first: they pin the apps that mount them.
  spec.volumes.forEach((v, i) => {
    if (v.replicated) return;
    const kept = live(prev.volumes[v.name]);
    const declared = declaredVolume(v, i);
    const p = declared && kept?.nodeUuid !== declared.nodeUuid ? declared : (kept ?? declared);
    if (p) volumes[v.name] = p;
  });
  // Kept placements count towards the load before any new app is placed.
  for (const a of spec.apps) {
    const kept = live(prev.apps[a.name]);
    if (kept) apps[a.name] = kept;
  }
  spec.apps.forEach((a, i) => {
    const p = placeApp(a, i, live(prev.apps[a.name]), { spec, nodes, apps, volumes, now, reasons });
    if (p) apps[a.name] = p;
  });
  spec.volumes.forEach((v, i) => {
    const user = spec.apps.find((a) => a.volumes.includes(v.name));
    const appNode = user ? apps[user.name] : undefined;
    if (v.replicated) {
      const p = appNode ?? live(prev.volumes[v.name]) ?? declaredVolume(v, i) ?? first(nodes, now);
      if (p) volumes[v.name] = keepSince(prev.volumes[v.name], p);
    } else if (!volumes[v.name]) {
      const p = appNode ?? first(nodes, now);
      if (p) volumes[v.name] = { nodeUuid: p.nodeUuid, since: now, reason: appNode ? appNode.reason : 'auto' };
    }
  });
  if (reasons.length > 0) return { kind: 'held', reasons };
  return { kind: 'ok', state: { ...prev, apps, volumes } };
}

interface Ctx {
  spec: WorkloadsSpec;
  nodes: WorkloadNode[];
  apps: Record<string, Placement>;
  volumes: Record<string, Placement>;
  now: number;
  reasons: string[];
}

function placeApp(a: AppSpec, i: number, kept: Placement | undefined, ctx: Ctx): Placement | undefined {
  const { nodes, now, reasons } = ctx;
  const path = `workloads.apps.${i}`;
  let want: Placement | undefined;
  if (a.node !== 'auto') {
    const n = findNode(nodes, a.node);
    if (!n) {
      reasons.push(`${path}.node: no node ${a.node} in this cluster`);
      return undefined;
    }
    // A manual move stands until the site itself names a node other than the one it was declared on.
    want = kept && (kept.reason === 'manual' || kept.nodeUuid === n.uuid) ? kept : undefined;
    want ??= { nodeUuid: n.uuid, since: now, reason: 'declared' };
  } else {
    want = kept ?? pinnedByVolume(a, ctx) ?? leastLoaded(nodes, ctx, now);
  }
  for (const vname of a.volumes) {
    const v = ctx.spec.volumes.find((x) => x.name === vname);
    const vp = ctx.volumes[vname];
    if (v && !v.replicated && vp && want && vp.nodeUuid !== want.nodeUuid && a.affinity === 'required') {
      const where = nodes.find((n) => n.uuid === vp.nodeUuid)?.name ?? vp.nodeUuid;
      reasons.push(
        `${path}.volumes: required app ${a.name} cannot reach volume ${vname}: it is not replicated and lives on ${where}`,
      );
    }
  }
  return want;
}

function pinnedByVolume(a: AppSpec, ctx: Ctx): Placement | undefined {
  for (const vname of a.volumes) {
    const v = ctx.spec.volumes.find((x) => x.name === vname);
    const vp = ctx.volumes[vname];
    if (v && !v.replicated && vp) return { nodeUuid: vp.nodeUuid, since: ctx.now, reason: 'auto' };
  }
  return undefined;
}

function leastLoaded(nodes: WorkloadNode[], ctx: Ctx, now: number): Placement | undefined {
  const load = (uuid: string) => {
    const mine = ctx.spec.apps.filter((x) => ctx.apps[x.name]?.nodeUuid === uuid);
    return [mine.reduce((s, x) => s + x.memoryMiB, 0), mine.length];
  };
  let best: { uuid: string; l: number[] } | undefined;
  for (const n of nodes) {
    const l = load(n.uuid);
    if (!best || l[0]! < best.l[0]! || (l[0] === best.l[0] && l[1]! < best.l[1]!)) best = { uuid: n.uuid, l };
  }
  return best ? { nodeUuid: best.uuid, since: now, reason: 'auto' } : undefined;
}

function first(nodes: WorkloadNode[], now: number): Placement | undefined {
  return nodes[0] ? { nodeUuid: nodes[0].uuid, since: now, reason: 'auto' } : undefined;
}

/** The earlier placement when it names the same node (its `since` stays), else the new one. */
function keepSince(prev: Placement | undefined, p: Placement): Placement {
  return prev && prev.nodeUuid === p.nodeUuid ? prev : p;
}
