// Which port of each node carries cluster traffic (EdgeNodeCluster.cluster_interface, eve-api-facts §1.1).
// Candidates: Ethernet ports that are up, one per node, all on one evidenced L2 segment. Ranking: a dedicated port
// over the management port, then the highest common link speed, then the lowest port names (then MACs).
import { describeNoSegment } from './interface-errors.js';
import {
  byNodeOrder,
  carriesManagement,
  compareNames,
  isEthernet,
  labelOf,
  type Nic,
  type NodeNics,
  normaliseMac,
  displayName as who,
} from './inventory.js';
import type { Ipv4Prefix } from './ipv4.js';
import { findSegments, type Port, type Segment, segmentOf } from './segments.js';

export interface InterfaceChoice {
  label: string;
  ifname: string;
  mac: string;
  why: string;
}

/** Node UUID → the operator's port for it, by logical label, ifname or MAC (site file or UI). */
export type InterfaceOverride = Record<string, string>;

export type InterfaceResult =
  | { kind: 'ok'; choices: Map<string, InterfaceChoice> }
  | { kind: 'error'; message: string };

interface Ranked {
  segment: Segment;
  picks: Port[];
  dedicated: number;
  speed: number;
}

export const isCandidate = (nic: Nic): boolean => isEthernet(nic) && nic.up === true;
const speedOf = (nic: Nic): number => nic.speedMbps ?? 0;

function best(ports: Port[]): Port | undefined {
  return [...ports].sort(
    (a, b) =>
      Number(carriesManagement(a.nic)) - Number(carriesManagement(b.nic)) ||
      speedOf(b.nic) - speedOf(a.nic) ||
      compareNames(a.nic.ifname!, b.nic.ifname!) ||
      compareNames(a.nic.mac, b.nic.mac),
  )[0];
}

function rank(segment: Segment, nodes: NodeNics[], fixed: Map<string, Nic>): Ranked | undefined {
  const picks: Port[] = [];
  for (const node of nodes) {
    const own = segment.ports.filter((p) => p.node.uuid === node.uuid && isCandidate(p.nic));
    const want = fixed.get(node.uuid);
    const pick = want ? own.find((p) => p.nic.mac === want.mac) : best(own);
    if (!pick) return undefined;
    picks.push(pick);
  }
  const dedicated = picks.filter((p) => !carriesManagement(p.nic)).length;
  return { segment, picks, dedicated, speed: Math.min(...picks.map((p) => speedOf(p.nic))) };
}

function tieBreak(a: Ranked, b: Ranked): number {
  for (let i = 0; i < a.picks.length; i++) {
    const d = compareNames(a.picks[i]!.nic.ifname!, b.picks[i]!.nic.ifname!);
    if (d) return d;
  }
  for (let i = 0; i < a.picks.length; i++) {
    const d = compareNames(a.picks[i]!.nic.mac, b.picks[i]!.nic.mac);
    if (d) return d;
  }
  return 0;
}

const byMerit = (a: Ranked, b: Ranked): number => b.dedicated - a.dedicated || b.speed - a.speed;

function explain(r: Ranked, port: Port, tied: boolean): string {
  const kind = carriesManagement(port.nic) ? 'management port (no dedicated port shares a segment)' : 'dedicated port';
  const speed = r.speed ? `${r.speed} Mb/s common link speed` : 'link speed unknown';
  const others = r.picks.filter((p) => p !== port).map((p) => `${who(p.node)} ${p.nic.ifname}`);
  const tie = tied ? '; tie-break: lowest port names' : '';
  return `${port.nic.ifname}: ${kind}, ${speed}, same segment as ${others.join(' and ')} (${r.segment.evidence.join('; ')})${tie}`;
}

function findPort(node: NodeNics, name: string): Nic | undefined {
  const mac = normaliseMac(name);
  return node.nics.find((n) => n.label === name || n.ifname === name || (mac !== undefined && n.mac === mac));
}

function resolveOverride(nodes: NodeNics[], override: InterfaceOverride): Map<string, Nic> | string {
  const fixed = new Map<string, Nic>();
  for (const [uuid, name] of Object.entries(override)) {
    const node = nodes.find((n) => n.uuid === uuid);
    if (!node) return `cluster interface override names node ${uuid}, which is not one of the three: fix the site file`;
    const nic = findPort(node, name);
    const known =
      node.nics
        .filter(isEthernet)
        .map((n) => labelOf(n))
        .join(', ') || 'none reported yet';
    if (!nic) return `${who(node)} has no port "${name}" (ports: ${known}): fix the cluster interface override`;
    if (!isEthernet(nic)) return `${who(node)} port "${name}" is not an Ethernet port: choose one of ${known}`;
    if (nic.up !== true) return `${who(node)} port "${name}" has no link: plug it in or choose one of ${known}`;
    fixed.set(uuid, nic);
  }
  return fixed;
}

function choice(port: Port, why: string): InterfaceChoice {
  return { label: labelOf(port.nic), ifname: port.nic.ifname!, mac: port.nic.mac, why };
}

export function chooseClusterInterfaces(
  input: NodeNics[],
  override: InterfaceOverride = {},
  clusterPrefix?: Ipv4Prefix,
): InterfaceResult {
  const nodes = [...input].sort(byNodeOrder);
  const fixed = resolveOverride(nodes, override);
  if (typeof fixed === 'string') return { kind: 'error', message: fixed };
  const segments = findSegments(nodes, clusterPrefix);
  if (fixed.size === nodes.length) {
    // The operator vouches for the cabling; we only say what the evidence shows.
    const choices = new Map<string, InterfaceChoice>();
    for (const node of nodes) {
      const nic = fixed.get(node.uuid)!;
      const seg = segmentOf(segments, node, nic);
      const ev = seg && seg.evidence.length > 0 ? seg.evidence.join('; ') : 'no segment evidence';
      choices.set(node.uuid, choice({ node, nic }, `${nic.ifname}: operator override (${ev})`));
    }
    return { kind: 'ok', choices };
  }
  const ranked = segments.flatMap((s) => rank(s, nodes, fixed) ?? []).sort((a, b) => byMerit(a, b) || tieBreak(a, b));
  const win = ranked[0];
  if (!win) return { kind: 'error', message: describeNoSegment(nodes, segments, fixed) };
  const tied = ranked.length > 1 && byMerit(win, ranked[1]!) === 0;
  const choices = new Map<string, InterfaceChoice>();
  for (const port of win.picks) {
    const why = fixed.has(port.node.uuid) ? `${port.nic.ifname}: operator override` : explain(win, port, tied);
    choices.set(port.node.uuid, choice(port, why));
  }
  return { kind: 'ok', choices };
}
