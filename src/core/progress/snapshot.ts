// The progress model: every node's state, the cluster's state and the aliases that link a machine's names,
// folded from stored events. The UI/API gets view() on connect and the effects of foldEvent() as deltas.
// Plain JSON throughout, so the model can be persisted and rebuilt from the event log alike.
import {
  type ClusterEffect,
  type ClusterState,
  transition as clusterTransition,
  initialCluster,
  label,
  recordState,
} from './cluster-state.js';
import { type DownloadView, viewDownload } from './download.js';
import { macOf, type ProgressEvent, str } from './event.js';
import { type Aliases, mergeNodes, relink } from './link.js';
import { expectNode, type NodeEffect, type NodeState, transition as nodeTransition } from './node-state.js';
import { checkStall, type StallLimits } from './stall.js';
import { type Problem, STEP_LABEL, type Step } from './steps.js';

export interface ProgressModel {
  nodes: Record<string, NodeState>;
  aliases: Aliases;
  cluster: ClusterState;
}

export type ProgressEffect = NodeEffect | ClusterEffect;

export interface ExpectedNode {
  mac?: string;
  serial?: string;
  name?: string;
}

export function initialModel(at = 0, expected: ExpectedNode[] = []): ProgressModel {
  const model: ProgressModel = { nodes: {}, aliases: {}, cluster: initialCluster(at) };
  for (const x of expected) {
    const key = x.mac ? `mac:${x.mac.toLowerCase()}` : `serial:${x.serial ?? x.name}`;
    model.nodes[key] = expectNode(key, at, x);
    model.aliases[key] = key;
    if (x.serial) model.aliases[`serial:${x.serial}`] = key;
  }
  return model;
}

/** Events about the progress picture itself (adapters/stall-watcher.ts): folding them would move the node. */
const ABOUT_PROGRESS = new Set(['progress.stalled']);

const CLUSTER_ONLY = new Set([
  'cluster.created',
  'cluster.plan.status',
  'cluster.planned',
  'k3s.seed.reassigned',
  'k3s.timeout',
]);

export function foldEvent(model: ProgressModel, e: ProgressEvent): { model: ProgressModel; effects: ProgressEffect[] } {
  const effects: ProgressEffect[] = [];
  if (ABOUT_PROGRESS.has(e.type)) return { model, effects };
  let m = model;
  if (e.type.startsWith('cluster.') || e.type.startsWith('k3s.') || e.type === 'eve.config.delivered') {
    const c = clusterTransition(m.cluster, e);
    m = { ...m, cluster: c.state };
    effects.push(...c.effects);
  }
  if (e.type === 'cluster.planned') m = nameNodes(m);
  if (e.type === 'k3s.readiness') {
    for (const n of Array.isArray(e.data.nodes) ? e.data.nodes : []) {
      const r = n as { uuid?: string };
      if (!r.uuid || !m.nodes[m.aliases[r.uuid] ?? r.uuid]) continue;
      const out = applyNode(m, { at: e.at, type: 'k3s.node', node: r.uuid, data: r as Record<string, unknown> });
      m = out.model;
      effects.push(...out.effects);
    }
    return { model: m, effects };
  }
  if (CLUSTER_ONLY.has(e.type) || e.type.startsWith('cluster.')) return { model: m, effects };
  if (e.type === 'dhcp' && !bootClient(m, e)) return { model: m, effects };
  const out = applyNode(m, enrich(m, e));
  effects.push(...out.effects);
  return { model: out.model, effects };
}

/**
 * A DHCP client without PXE's client-system option (RFC 4578 §2.1, option 93) and not iPXE is an OS asking for a
 * lease (EVE's own management port, a laptop): it starts no timeline unless its MAC is already a node's.
 */
function bootClient(m: ProgressModel, e: ProgressEvent): boolean {
  const mac = macOf(e);
  if (mac && m.aliases[`mac:${mac}`]) return true;
  return typeof e.data.arch === 'number' || e.data.ipxe === true;
}

/** Role and cluster IP come from the plan, which config-delivery events do not carry. */
function enrich(m: ProgressModel, e: ProgressEvent): ProgressEvent {
  if (e.type !== 'eve.config.delivered') return e;
  const p = m.cluster.nodes.find((n) => n.uuid === e.node);
  return p ? { ...e, data: { ...e.data, role: p.role, clusterIp: p.ip } } : e;
}

function nameNodes(m: ProgressModel): ProgressModel {
  const nodes = { ...m.nodes };
  for (const p of m.cluster.nodes) {
    const n = nodes[p.uuid];
    if (n) nodes[p.uuid] = { ...n, name: p.name, role: p.role, clusterIp: p.ip };
  }
  return { ...m, nodes };
}

/** The names this event knows its machine by, most specific first. */
function names(e: ProgressEvent): string[] {
  const out: string[] = [];
  if (e.node) out.push(e.node);
  const serial = str(e, 'serial');
  if (serial) out.push(`serial:${serial}`);
  const mac = macOf(e);
  if (mac) out.push(`mac:${mac}`);
  const client = str(e, 'client');
  if (client) out.push(`ip:${client.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')}`);
  const ip = str(e, 'yiaddr') ?? str(e, 'ip');
  if (ip) out.push(`ip:${ip}`);
  for (const n of Array.isArray(e.data.nics) ? e.data.nics : []) {
    const nicMac = (n as { mac?: unknown }).mac;
    if (typeof nicMac === 'string') out.push(`mac:${nicMac.toLowerCase()}`);
  }
  return out;
}

function applyNode(m: ProgressModel, e: ProgressEvent): { model: ProgressModel; effects: NodeEffect[] } {
  const all = names(e);
  if (all.length === 0) return { model: m, effects: [] };
  const key = e.node ?? m.aliases[all.find((a) => m.aliases[a]) ?? ''] ?? all[0]!;
  let nodes = { ...m.nodes };
  let aliases = { ...m.aliases };
  let current = nodes[key];
  // Every other record these names point at is the same machine: fold it into this one.
  for (const a of all) {
    // An IP is leased to one machine at a time but may move on: it routes an event, it never merges records.
    if (a.startsWith('ip:')) continue;
    const other = aliases[a];
    if (other === undefined || other === key || !nodes[other]) continue;
    current = current ? mergeNodes(current, nodes[other]) : { ...nodes[other], key };
    delete nodes[other];
    aliases = relink(aliases, other, key);
  }
  for (const a of all) aliases[a] = key;
  aliases[key] = key;
  const out = nodeTransition(current ? { ...current, key } : undefined, {
    ...e,
    node: key.startsWith('mac:') || key.startsWith('ip:') || key.startsWith('serial:') ? e.node : key,
  });
  const state = { ...out.state, key };
  nodes = { ...nodes, [key]: state };
  return { model: { ...m, nodes, aliases }, effects: out.effects.map((x) => ({ ...x, node: key })) };
}

export interface NodeView {
  key: string;
  phase: NodeState['phase'];
  uuid?: string;
  serial?: string;
  name?: string;
  macs: string[];
  via: NodeState['via'];
  role?: string;
  clusterIp?: string;
  ecdhCertHash?: string;
  steps: (Step & { label: string })[];
  download?: DownloadView;
  problem?: Problem;
}

export interface ClusterView {
  state: string;
  label: string;
  kind: ClusterState['kind'];
  id?: string;
  name?: string;
  prefix?: string;
  seed?: string;
  seedWhy?: string;
  /** What the plan was made without (a node's hardware report after the grace period). */
  planMissing: string[];
  quorum: string;
  evidence: string[];
  missing: string[];
  basis?: string;
  /** "token sealed for n/3 devices" — the count only; the token is never part of a view. */
  tokenSealed: string;
  down: string[];
  nodes: ClusterState['nodes'];
}

export interface Snapshot {
  nodes: NodeView[];
  cluster: ClusterView;
}

export function view(m: ProgressModel, now?: number, limits?: StallLimits): Snapshot {
  const nodes = Object.values(m.nodes).map((raw) => {
    const n = now === undefined ? raw : checkStall(raw, now, limits).state;
    const problem = n.phase === 'failed' || n.phase === 'down' ? n.problem : n.steps.find((s) => s.problem)?.problem;
    const v: NodeView = {
      key: n.key,
      phase: n.phase,
      macs: n.macs,
      via: n.via,
      steps: n.steps.map((s) => ({ ...s, label: STEP_LABEL[s.id] })),
      ...pick(n, ['uuid', 'serial', 'name', 'role', 'clusterIp', 'ecdhCertHash']),
      ...(Object.keys(n.download).length > 0 ? { download: viewDownload(n.download) } : {}),
      ...(problem ? { problem } : {}),
    };
    return v;
  });
  const c = m.cluster;
  const seed = c.nodes.find((n) => n.uuid === c.seedUuid);
  return {
    nodes: nodes.sort((a, b) => (a.name ?? a.key).localeCompare(b.name ?? b.key)),
    cluster: {
      state: recordState(c),
      label: label(c),
      kind: c.kind,
      ...pick(c, ['id', 'name', 'prefix', 'seedWhy', 'basis']),
      ...(seed || c.seedUuid ? { seed: seed?.name ?? c.seedUuid } : {}),
      planMissing: c.planMissing ?? [],
      quorum: c.quorum,
      evidence: c.evidence,
      missing: c.missing,
      tokenSealed: `token sealed for ${c.sealedFor.length}/3 devices`,
      down: c.kind === 'degraded' || c.kind === 'failed' ? c.down : [],
      nodes: c.nodes,
    },
  };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The whole picture from the event log (a restart, a report, or a fresh UI connection). */
export function foldEvents(
  events: readonly ProgressEvent[],
  opts: { since?: number; now?: number; expected?: ExpectedNode[]; limits?: StallLimits } = {},
): Snapshot {
  let m = initialModel(opts.since ?? events[0]?.at ?? opts.now ?? 0, opts.expected);
  for (const e of events) m = foldEvent(m, e).model;
  return view(m, opts.now, opts.limits);
}
