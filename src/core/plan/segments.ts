// L2 segments from evidence, never from port names: two ports share a segment when the same appliance interface
// saw DHCP from both, when their IPv4 subnets are identical, when they already hold addresses in the cluster
// prefix, or (simulator) when they carry the same segment hint. Evidence is transitive.
import { compareNames, isEthernet, type Nic, type NodeNics } from './inventory.js';
import { formatPrefix, type Ipv4Prefix, isLinkLocal, parseIpv4, parsePrefix, prefixContains } from './ipv4.js';

export interface Port {
  node: NodeNics;
  nic: Nic;
}

export interface Segment {
  ports: Port[];
  /** Human-readable evidence, e.g. "DHCP seen on appliance eth1", "subnet 192.168.7.0/24". */
  evidence: string[];
}

function evidenceOf(nic: Nic, clusterPrefix: Ipv4Prefix | undefined): string[] {
  const keys = nic.applianceIfs.map((i) => `DHCP seen on appliance ${i}`);
  const subnet = nic.subnet ? parsePrefix(nic.subnet) : undefined;
  // RFC 3927 link-local subnets are the same everywhere, so they prove nothing.
  if (subnet && subnet.len > 0 && !isLinkLocal(subnet.base)) keys.push(`subnet ${formatPrefix(subnet)}`);
  // The cluster IP EVE added is reported in DevicePort.IPAddrs (eve-api-facts §5.1, §5.5): already on the segment.
  if (clusterPrefix && nic.ipv4.some((a) => prefixContains(clusterPrefix, parseIpv4(a) ?? -1))) {
    keys.push(`addresses in cluster prefix ${formatPrefix(clusterPrefix)}`);
  }
  if (nic.segment) keys.push(`simulated segment "${nic.segment}"`);
  return keys;
}

/** Every Ethernet port of every node, grouped into segments. Ports without evidence form segments of one. */
export function findSegments(nodes: NodeNics[], clusterPrefix?: Ipv4Prefix): Segment[] {
  const ports = nodes.flatMap((node) => node.nics.filter(isEthernet).map((nic) => ({ node, nic })));
  const parent = ports.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i]!;
    return i;
  };
  const firstWithKey = new Map<string, number>();
  const keys = ports.map((p) => evidenceOf(p.nic, clusterPrefix));
  keys.forEach((list, i) => {
    for (const k of list) {
      const j = firstWithKey.get(k);
      if (j === undefined) firstWithKey.set(k, i);
      else parent[root(i)] = root(j);
    }
  });
  const groups = new Map<number, number[]>();
  for (let i = 0; i < ports.length; i++) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  return [...groups.values()].map((idx) => ({
    ports: idx.map((i) => ports[i]!),
    evidence: [...new Set(idx.flatMap((i) => keys[i]!))].sort(compareNames),
  }));
}

export function segmentOf(segments: Segment[], node: NodeNics, nic: Nic): Segment | undefined {
  return segments.find((s) => s.ports.some((p) => p.node.uuid === node.uuid && p.nic.mac === nic.mac));
}
