// Each app's view for the operator, from what the nodes and the leader report (eve-workloads-facts §6, §4.3):
// only the node running an app (or its designated node while no pod exists) sends ZInfoApp, and a node that
// stops running it sends nothing, so the newest claim wins, cross-checked with the leader's ZInfoKubeCluster.
// Pure: the caller gathers claims, leader view, node liveness and content reports (status-input.ts).
import { ZSwState } from '../../gen/info/info_pb.js';
import { type LeaderView, leaderPlacement } from './leader-apps.js';
import { DEFAULT_SILENCE_MS, EVICTION_GRACE_MS, type Liveness, liveness, type NodeLiveness } from './liveness.js';
import {
  type AppClaim,
  type AppSpec,
  type AppView,
  type WorkloadState,
  type WorkloadsSpec,
  workloadUuid,
} from './model.js';

/** ZInfoContentTree from one node (§3.5). */
export interface ContentReport {
  deviceUuid: string;
  contentUuid: string;
  /** ZSwState number. */
  state: number;
  percent: number;
  at: number;
}

export interface StatusInput {
  clusterId: string;
  now: number;
  spec: WorkloadsSpec;
  state?: WorkloadState;
  nodes: NodeLiveness[];
  claims: AppClaim[];
  leader?: LeaderView;
  content: ContentReport[];
  /** Silence after which a node counts as lost (default DEFAULT_SILENCE_MS). */
  silenceMs?: number;
  /** Node loss → eviction (default EVICTION_GRACE_MS, ~55 s; the demo scales it). */
  graceMs?: number;
  /** The content tree an app's progress comes from (default: its root content tree, named `app/<name>` by the config builder). */
  contentUuidOf?: (app: AppSpec) => string;
}

/** Where the reports put the app (before it becomes a phase). */
export type Whereabouts =
  | { kind: 'running'; nodeUuid: string; at: number; confirmed: boolean }
  | { kind: 'stale'; nodeUuid?: string; claimNode: string; why: string }
  | { kind: 'conflict'; nodeUuids: string[]; why: string }
  | { kind: 'lost'; nodeUuid: string; since: number; why: string; starting?: AppClaim }
  | { kind: 'none'; newest?: AppClaim };

const MOVE_PENDING =
  'EVE does not restart a running app for a new designated node: it moves there the next time it is recreated ' +
  '(a drain, reboot or failure of the node running it).';

/** Every declared app's view. */
export function appViews(input: StatusInput): AppView[] {
  return input.spec.apps.map((app) => appView(input, app));
}

export function appView(input: StatusInput, app: AppSpec): AppView {
  const uuid = workloadUuid(input.clusterId, 'app', app.name);
  const nameOf = (u: string | undefined) => input.nodes.find((n) => n.uuid === u)?.name ?? u ?? '';
  const placement = input.state?.apps[app.name];
  const designatedUuid = placement?.nodeUuid ?? input.nodes.find((n) => n.name === app.node)?.uuid;
  const designatedNode = nameOf(designatedUuid) || app.node;
  const base: AppView = {
    name: app.name,
    uuid,
    kind: app.kind,
    affinity: app.affinity,
    designatedNode,
    phase: 'waiting',
    moves: input.state?.moves[app.name] ?? [],
  };
  if (input.state?.deployedAt === undefined) {
    return { ...base, detail: 'the cluster is not Ready yet: nothing has been sent to the nodes' };
  }
  const contentUuid = input.contentUuidOf?.(app) ?? workloadUuid(input.clusterId, 'content', `app/${app.name}`);
  const download = input.content
    .filter((c) => c.contentUuid === contentUuid && c.deviceUuid === designatedUuid)
    .sort((a, b) => b.at - a.at)[0];
  if (download) base.downloadPercent = download.percent;
  const w = whereabouts(input, app, uuid);
  const view = { ...base, ...phaseOf(w, app, input, nameOf) };
  if (placement?.reason === 'manual' && view.effectiveNode && view.effectiveNode !== designatedNode) {
    view.pendingMove = { toNode: designatedNode, since: placement.since, explanation: MOVE_PENDING };
  }
  return view;
}

/** The newest running claim from a live node wins; the leader's report, when newer, confirms or contradicts it. */
export function whereabouts(input: StatusInput, app: AppSpec, uuid: string): Whereabouts {
  const live = (u: string): Liveness =>
    liveness(
      input.nodes.find((n) => n.uuid === u),
      input.now,
      input.silenceMs ?? DEFAULT_SILENCE_MS,
    );
  const claims = input.claims.filter((c) => c.appUuid === uuid && c.state !== ZSwState.INVALID);
  claims.sort((a, b) => b.at - a.at);
  const running = claims.filter((c) => c.clusterAppRunning);
  const liveRunning = running.filter((c) => !live(c.deviceUuid).lost);
  const newest = liveRunning[0];
  const leader = input.leader;
  const placed = leaderPlacement(leader, app.name, uuid);
  if (newest) {
    if (!leader || leader.at < newest.at)
      return { kind: 'running', nodeUuid: newest.deviceUuid, at: newest.at, confirmed: false };
    if (placed.nodeUuid === newest.deviceUuid)
      return { kind: 'running', nodeUuid: newest.deviceUuid, at: newest.at, confirmed: true };
    if (placed.nodeUuid && liveRunning.some((c) => c.deviceUuid === placed.nodeUuid)) {
      return {
        kind: 'conflict',
        nodeUuids: [newest.deviceUuid, placed.nodeUuid],
        why: 'two nodes claim it running; the leader places it on the one whose claim is older',
      };
    }
    const why = placed.nodeUuid
      ? 'the leader places it on another node, which has not reported it yet'
      : `the leader lists ${placed.listed ? 'no running pod or VMI' : 'no pod or VMI'} for it`;
    return {
      kind: 'stale',
      ...(placed.nodeUuid ? { nodeUuid: placed.nodeUuid } : {}),
      claimNode: newest.deviceUuid,
      why,
    };
  }
  // Nothing live claims it: was it last running on a node that is now lost?
  const last = running[0]?.deviceUuid ?? input.state?.running?.[app.name]?.nodeUuid;
  const gone = last ? live(last) : undefined;
  const liveNewest = claims.find((c) => !live(c.deviceUuid).lost);
  if (last && gone?.lost) {
    return {
      kind: 'lost',
      nodeUuid: last,
      since: gone.since,
      why: gone.why,
      ...(liveNewest ? { starting: liveNewest } : {}),
    };
  }
  return { kind: 'none', ...(liveNewest ? { newest: liveNewest } : {}) };
}

type Phase = Pick<AppView, 'phase' | 'detail' | 'effectiveNode' | 'state'>;

function phaseOf(w: Whereabouts, app: AppSpec, input: StatusInput, nameOf: (u?: string) => string): Phase {
  const stateName = (c?: AppClaim) => (c ? (ZSwState[c.state] ?? String(c.state)) : undefined);
  const at = (ms: number) => new Date(ms).toISOString();
  switch (w.kind) {
    case 'running':
      return {
        phase: 'running',
        effectiveNode: nameOf(w.nodeUuid),
        state: 'RUNNING',
        detail: w.confirmed
          ? `running on ${nameOf(w.nodeUuid)}, confirmed by the leader's ZInfoKubeCluster`
          : `running on ${nameOf(w.nodeUuid)} (its ZInfoApp of ${at(w.at)}; the leader has not reported since)`,
      };
    case 'stale':
      return {
        phase: 'stale',
        ...(w.nodeUuid ? { effectiveNode: nameOf(w.nodeUuid) } : {}),
        detail: `${nameOf(w.claimNode)}'s claim that it runs there is stale: ${w.why}`,
      };
    case 'conflict':
      return { phase: 'conflict', detail: `${w.nodeUuids.map((u) => nameOf(u)).join(' and ')}: ${w.why}` };
    case 'lost': {
      const from = nameOf(w.nodeUuid);
      if (app.affinity === 'required') {
        return {
          phase: 'down-with-node',
          detail:
            `down with ${from} (${w.why}, since ${at(w.since)}): affinity required keeps it on its node, EVE does not ` +
            `fail it over; it comes back when ${from} returns`,
        };
      }
      const evictAt = w.since + (input.graceMs ?? EVICTION_GRACE_MS);
      const starting = w.starting ? `; starting on ${nameOf(w.starting.deviceUuid)} (${stateName(w.starting)})` : '';
      const when =
        input.now < evictAt
          ? `K3s evicts it about ${at(evictAt)} (node lost 40 s + 15 s toleration) and restarts it on a surviving node`
          : `eviction was due at ${at(evictAt)}; waiting for the node that restarts it to report`;
      return { phase: 'moving', detail: `leaving ${from} (${w.why}): ${when}${starting}` };
    }
    case 'none': {
      const c = w.newest;
      if (c && (c.error || c.state === ZSwState.ERROR)) {
        return { phase: 'error', effectiveNode: nameOf(c.deviceUuid), state: stateName(c), detail: c.error ?? 'ERROR' };
      }
      if (c) {
        return { phase: 'deploying', state: stateName(c), detail: `${nameOf(c.deviceUuid)} reports ${stateName(c)}` };
      }
      return { phase: 'deploying', detail: 'sent to the nodes; no ZInfoApp yet' };
    }
  }
}
