// The cluster's bring-up as a persisted state machine (issue 4, "Watch until ready"): waiting for nodes → planned
// → configs delivered → seed initialised → joined 2/3, 3/3 → ready; then degraded (2 of 3 live: etcd quorum
// held) or failed (quorum lost, or a timeout with its reason). Every field is plain JSON.
import { bool, type ProgressEvent, str, strings } from './event.js';

export interface ClusterNode {
  uuid: string;
  name: string;
  ip: string;
  role: 'seed' | 'joiner';
}

export interface ClusterFacts {
  id?: string;
  name?: string;
  prefix?: string;
  seedUuid?: string;
  seedWhy?: string;
  /** Evidence the plan was made without (core/plan/evidence.ts). */
  planMissing: string[];
  nodes: ClusterNode[];
  /** Devices the token is sealed for (uuids; the token itself is never here). */
  sealedFor: string[];
  deliveredTo: string[];
  /** From the last readiness evaluation (uuids). */
  members: string[];
  liveMembers: string[];
  quorum: string;
  evidence: string[];
  missing: string[];
  basis?: string;
  everReady: boolean;
  status?: string;
  since: number;
}

export type ClusterState =
  | (ClusterFacts & { kind: 'waiting-for-nodes' | 'planned' | 'configs-delivered' | 'seed-initialised' | 'ready' })
  | (ClusterFacts & { kind: 'joined'; joined: number })
  | (ClusterFacts & { kind: 'degraded'; down: string[] })
  | (ClusterFacts & { kind: 'failed'; reason: string; down: string[] });

export interface ClusterEffect {
  kind: 'changed';
  from: string;
  to: string;
  label: string;
  at: number;
}

export function initialCluster(at = 0): ClusterState {
  const facts: ClusterFacts = {
    planMissing: [],
    nodes: [],
    sealedFor: [],
    deliveredTo: [],
    members: [],
    liveMembers: [],
    quorum: '0/3',
    evidence: [],
    missing: [],
    everReady: false,
    since: at,
  };
  return { ...facts, kind: 'waiting-for-nodes' };
}

export function transition(prev: ClusterState, e: ProgressEvent): { state: ClusterState; effects: ClusterEffect[] } {
  const next = apply(prev, e);
  const from = recordState(prev);
  const to = recordState(next);
  if (from === to && label(prev) === label(next)) return { state: next, effects: [] };
  const state = from === to ? next : { ...next, since: e.at };
  return { state, effects: [{ kind: 'changed', from, to, label: label(state), at: e.at }] };
}

const add = (list: string[], x: string | undefined) => (x && !list.includes(x) ? [...list, x] : list);

function facts(s: ClusterState): ClusterFacts {
  const { kind: _k, ...rest } = s as ClusterState & { joined?: number; down?: string[]; reason?: string };
  const { joined: _j, down: _d, reason: _r, ...f } = rest;
  return f;
}

function apply(s: ClusterState, e: ProgressEvent): ClusterState {
  switch (e.type) {
    case 'cluster.created':
      return { ...s, id: str(e, 'id') ?? s.id, name: str(e, 'name') ?? s.name };
    case 'cluster.plan.status': {
      const status = str(e, 'status') ?? '';
      if (status.startsWith('cannot')) return { ...facts(s), status, kind: 'failed', reason: status, down: [] };
      return { ...s, status };
    }
    case 'cluster.planned':
      return planned(s, e);
    case 'cluster.token.sealed':
      return { ...s, sealedFor: add(s.sealedFor, e.node) };
    case 'eve.config.delivered': {
      if (e.data.cluster !== true || !s.nodes.some((n) => n.uuid === e.node)) return s;
      const deliveredTo = add(s.deliveredTo, e.node);
      const all = s.nodes.every((n) => deliveredTo.includes(n.uuid));
      return all && (s.kind === 'planned' || s.kind === 'waiting-for-nodes')
        ? { ...facts(s), deliveredTo, kind: 'configs-delivered' }
        : { ...s, deliveredTo };
    }
    case 'k3s.seed.reassigned':
      return reassigned(s, e);
    case 'k3s.readiness':
      return readiness(s, e);
    case 'k3s.timeout': {
      const reason = str(e, 'reason') ?? 'timed out';
      return { ...facts(s), kind: 'failed', reason, down: strings(e, 'down') };
    }
    default:
      return s;
  }
}

function nodesOf(e: ProgressEvent): ClusterNode[] | undefined {
  const raw = e.data.nodes;
  if (!Array.isArray(raw)) return undefined;
  return raw.map((n: Record<string, unknown>) => ({
    uuid: String(n.uuid),
    name: String(n.name),
    ip: String(n.ip),
    role: n.role === 'seed' ? 'seed' : 'joiner',
  }));
}

function planned(s: ClusterState, e: ProgressEvent): ClusterState {
  const nodes = nodesOf(e) ?? s.nodes;
  return {
    ...facts(s),
    kind: 'planned',
    nodes,
    seedUuid: str(e, 'seed') ?? s.seedUuid,
    seedWhy: str(e, 'why') ?? s.seedWhy,
    prefix: str(e, 'prefix') ?? s.prefix,
    planMissing: strings(e, 'missingEvidence'),
    deliveredTo: [],
  };
}

function reassigned(s: ClusterState, e: ProgressEvent): ClusterState {
  const newSeed = str(e, 'newSeed');
  const reason = str(e, 'reason') ?? '';
  if (!newSeed) return { ...s, status: reason };
  // All three configs change (join_server_ip moves), so delivery starts over.
  const nodes = s.nodes.map((n): ClusterNode => ({ ...n, role: n.uuid === newSeed ? 'seed' : 'joiner' }));
  return { ...facts(s), kind: 'planned', nodes, seedUuid: newSeed, seedWhy: reason, status: reason, deliveredTo: [] };
}

function readiness(s: ClusterState, e: ProgressEvent): ClusterState {
  const f: ClusterFacts = {
    ...facts(s),
    members: strings(e, 'members'),
    liveMembers: strings(e, 'liveMembers'),
    quorum: str(e, 'quorum') ?? s.quorum,
    evidence: strings(e, 'evidence'),
    missing: strings(e, 'missing'),
    basis: str(e, 'basis') ?? s.basis,
  };
  const live = f.liveMembers.length;
  const down = f.nodes.filter((n) => !f.liveMembers.includes(n.uuid)).map((n) => n.name);
  if (bool(e, 'ready')) return { ...f, everReady: true, kind: 'ready' };
  if (f.everReady) {
    // etcd with three members tolerates one loss (eve-api-facts §5.6); two lost means no quorum.
    if (live === 2) return { ...f, kind: 'degraded', down };
    if (live < 2) {
      const reason = `quorum lost: ${live} of 3 etcd members answer; down: ${down.join(', ')}`;
      return { ...f, kind: 'failed', reason, down };
    }
    return { ...f, kind: 'joined', joined: live };
  }
  if (live >= 2) return { ...f, kind: 'joined', joined: live };
  if (live === 1 || bool(e, 'seedInitialised')) return { ...f, kind: 'seed-initialised' };
  // Nothing answers yet: the earlier states (and a timeout's failure) stand until evidence arrives.
  if (['waiting-for-nodes', 'planned', 'configs-delivered', 'failed'].includes(s.kind)) return { ...s, ...f };
  return { ...f, kind: 'configs-delivered' };
}

/** The string kept in ClusterRecord.state. */
export function recordState(s: ClusterState): string {
  return s.kind === 'joined' ? `joined-${s.joined}/3` : s.kind;
}

export function label(s: ClusterState): string {
  switch (s.kind) {
    case 'waiting-for-nodes':
      return s.status ?? 'waiting for nodes';
    case 'planned':
      return `planned: seed ${s.nodes.find((n) => n.uuid === s.seedUuid)?.name ?? s.seedUuid ?? '?'}; configs delivered ${s.deliveredTo.length}/3`;
    case 'configs-delivered':
      return 'configs delivered 3/3: waiting for the seed to initialise';
    case 'seed-initialised':
      return 'seed initialised (1/3): waiting for the joiners';
    case 'joined':
      return `joined ${s.joined}/3`;
    case 'ready':
      return `ready: ${s.quorum} etcd members (${s.basis ?? 'probes'})`;
    case 'degraded':
      return `degraded: ${s.down.join(', ')} down; 2/3 live, quorum held`;
    case 'failed':
      return `failed: ${s.reason}`;
  }
}
