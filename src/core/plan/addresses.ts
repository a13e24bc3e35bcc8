// Cluster IPs from the site's cluster prefix: the seed gets the first usable host, the others the next ones in
// node order. The same inputs always give the same addresses.
import { formatIpv4, type Ipv4Prefix, parsePrefix, prefixesOverlap, usableHosts } from './ipv4.js';

/**
 * Default cluster prefix: 14 usable hosts, the range EVE's own examples use (eve-api-facts §5.7), outside K3s's
 * 10.42.0.0/16 and 10.43.0.0/16. Change it in the site file when a management network already uses it.
 */
export const DEFAULT_CLUSTER_PREFIX = '10.244.244.0/28';

// K3s cluster-cidr (pods) and service-cidr; EVE routes 10.43.0.0/16 via the cluster IP (eve-api-facts §5.1).
const k3sRanges: { name: string; prefix: string }[] = [
  { name: 'K3s pods', prefix: '10.42.0.0/16' },
  { name: 'K3s services', prefix: '10.43.0.0/16' },
];

export type AddressResult =
  | { kind: 'ok'; prefix: Ipv4Prefix; ips: Map<string, string> }
  | { kind: 'error'; message: string };

/** The prefix, or an operator-facing reason it cannot be the cluster prefix. */
export function checkPrefix(text: string, mgmtSubnets: string[], hostsNeeded = 3): Ipv4Prefix | string {
  const loose = parsePrefix(text);
  if (!loose) return `cluster prefix "${text}" is not an IPv4 prefix like ${DEFAULT_CLUSTER_PREFIX}: fix the site file`;
  const prefix = parsePrefix(text, true);
  if (!prefix) return `cluster prefix ${text} has host bits set: write it as ${formatIpv4(loose.base)}/${loose.len}`;
  if (usableHosts(prefix) < hostsNeeded) {
    return `cluster prefix ${text} has ${usableHosts(prefix)} usable hosts, ${hostsNeeded} are needed: use a /29 or larger`;
  }
  for (const r of k3sRanges) {
    if (prefixesOverlap(prefix, parsePrefix(r.prefix)!)) {
      return `cluster prefix ${text} overlaps ${r.prefix} (${r.name}): choose another, e.g. ${DEFAULT_CLUSTER_PREFIX}`;
    }
  }
  for (const s of mgmtSubnets) {
    const subnet = parsePrefix(s);
    // EVE hides every address inside the cluster prefix from management use (eve-api-facts §5.1).
    if (subnet && prefixesOverlap(prefix, subnet)) {
      return `cluster prefix ${text} overlaps management subnet ${s}: choose a prefix no node or the appliance uses`;
    }
  }
  return prefix;
}

/** uuids in node order; the seed is moved to the front. */
export function planAddresses(prefix: string, seedUuid: string, uuids: string[], mgmtSubnets: string[]): AddressResult {
  const checked = checkPrefix(prefix, mgmtSubnets, uuids.length);
  if (typeof checked === 'string') return { kind: 'error', message: checked };
  if (!uuids.includes(seedUuid)) return { kind: 'error', message: `seed ${seedUuid} is not one of the cluster nodes` };
  const order = [seedUuid, ...uuids.filter((u) => u !== seedUuid)];
  const ips = new Map(order.map((u, i) => [u, formatIpv4(checked.base + 1 + i)]));
  return { kind: 'ok', prefix: checked, ips };
}
