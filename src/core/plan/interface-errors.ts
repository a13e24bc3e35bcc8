// The operator-facing answer when no segment joins all three nodes: name the closest segment and what to cable.
import {
  carriesManagement,
  compareNames,
  isEthernet,
  type Nic,
  type NodeNics,
  displayName as who,
} from './inventory.js';
import type { Port, Segment } from './segments.js';

const OVERRIDE_HINT = 'or name each node’s port in the site file (cluster.interfaces)';

function nodesCovered(s: Segment, fixed: Map<string, Nic>): Port[] {
  const seen = new Map<string, Port>();
  for (const p of s.ports) {
    const want = fixed.get(p.node.uuid);
    if (p.nic.up !== true || (want && want.mac !== p.nic.mac) || seen.has(p.node.uuid)) continue;
    seen.set(p.node.uuid, p);
  }
  return [...seen.values()];
}

/** A port worth cabling: up and not the management port first, then any spare Ethernet port. */
function spare(node: NodeNics): Nic[] {
  const eth = node.nics.filter((n) => isEthernet(n) && !carriesManagement(n));
  const up = eth.filter((n) => n.up === true);
  return up.length > 0 ? up : eth;
}

function portList(node: NodeNics): string {
  const names = spare(node).map((n) => n.ifname!);
  return names.length > 0 ? names.join(' or ') : 'a free Ethernet port';
}

export function describeNoSegment(nodes: NodeNics[], segments: Segment[], fixed: Map<string, Nic>): string {
  const scored = segments
    .map((s) => ({ s, covered: nodesCovered(s, fixed) }))
    .filter((x) => fixed.size === 0 || [...fixed.keys()].every((u) => x.covered.some((p) => p.node.uuid === u)))
    .sort(
      (a, b) =>
        b.covered.length - a.covered.length ||
        compareNames(a.covered[0]?.nic.ifname ?? '~', b.covered[0]?.nic.ifname ?? '~'),
    );
  const top = scored[0];
  const head = 'no Ethernet port is up on all three nodes on one L2 segment';
  if (!top || top.covered.length < 2) {
    const cable = nodes.map((n) => `${who(n)} ${spare(n)[0]?.ifname ?? '(a free Ethernet port)'}`).join(', ');
    const pinned = fixed.size > 0 ? ' that includes the overridden port(s)' : '';
    return (
      `${head}${pinned}, and no evidence links ports of different nodes: cable ${cable} to one switch and plug an ` +
      `appliance interface into it so eveboot sees their DHCP requests, ${OVERRIDE_HINT}`
    );
  }
  const anchor = top.covered[0]!;
  const linked = top.covered.map((p) => `${who(p.node)} ${p.nic.ifname}`).join(' and ');
  const missing = nodes.filter((n) => !top.covered.some((p) => p.node.uuid === n.uuid));
  const down = top.s.ports.filter((p) => missing.includes(p.node) && p.nic.up !== true);
  const downText = down.map((p) => `; ${who(p.node)} ${p.nic.ifname} was seen there but has no link: check its cable`);
  const asks = missing.map((n) => `${portList(n)} of ${who(n)}`).join(', and ');
  return (
    `${head}: the closest (${top.s.evidence.join('; ')}) links ${linked}${downText.join('')}. ` +
    `Cable ${asks} to the same switch as ${who(anchor.node)} ${anchor.nic.ifname}, ${OVERRIDE_HINT}`
  );
}
