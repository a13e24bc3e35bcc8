// Whether a stored plan still fits the current inputs. Keeping it is what makes the plan stable across restarts:
// addresses, seed and ports only move when the site file, the operator or the hardware make the old plan wrong.
import type { ClusterPlan, PlanInput } from './cluster-plan.js';
import { isEthernet, labelOf, type NodeNics, normaliseMac } from './inventory.js';
import { formatPrefix, type Ipv4Prefix, parseIpv4, prefixContains } from './ipv4.js';
import { chooseSeed } from './seed.js';

/** Structural rules EVE relies on; undefined when the plan obeys them all. */
export function checkPlan(plan: ClusterPlan, prefix: Ipv4Prefix): string | undefined {
  const broadcast = prefix.base + 2 ** (32 - prefix.len) - 1;
  const ips = plan.nodes.map((n) => parseIpv4(n.ip) ?? -1);
  if (ips.some((ip) => !prefixContains(prefix, ip) || ip === prefix.base || ip === broadcast)) {
    return 'a node address is not a usable host of the cluster prefix';
  }
  if (new Set(ips).size !== ips.length) return 'two nodes share a cluster address';
  if (plan.nodes.some((n) => n.ipPrefix !== `${n.ip}/${prefix.len}`))
    return 'a cluster_ip_prefix does not match its IP';
  // Exactly one node is the bootstrap node: its cluster IP equals join_server_ip (eve-api-facts §1.4 step 3).
  const seeds = plan.nodes.filter((n) => n.ip === plan.joinServerIp);
  if (seeds.length !== 1 || seeds[0]!.uuid !== plan.seedUuid) return 'join_server_ip is not exactly the seed’s IP';
  if (plan.nodes.some((n) => (n.role === 'seed') !== (n.uuid === plan.seedUuid))) return 'roles disagree with the seed';
  return undefined;
}

function portStillThere(node: NodeNics, label: string, mac: string): boolean {
  // A port that is down right now does not move the cluster: that is a fault to report, not a reason to re-plan.
  return node.nics.some((n) => n.mac === mac && isEthernet(n) && labelOf(n) === label);
}

export type Current = Omit<PlanInput, 'name' | 'prefix'> & { name: string; prefix: Ipv4Prefix };

export function keepsPrevious(prev: ClusterPlan, cur: Current): boolean {
  if (prev.clusterId !== cur.clusterId || prev.name !== cur.name || prev.prefix !== formatPrefix(cur.prefix))
    return false;
  if (checkPlan(prev, cur.prefix) !== undefined) return false;
  const uuids = new Set(cur.nodes.map((n) => n.uuid));
  if (prev.nodes.length !== uuids.size || prev.nodes.some((n) => !uuids.has(n.uuid))) return false;
  if (cur.seedOverride) {
    const seed = chooseSeed(cur.nodes, cur.seedOverride);
    if (seed.kind !== 'ok' || seed.uuid !== prev.seedUuid) return false;
  }
  return prev.nodes.every((p) => {
    const node = cur.nodes.find((n) => n.uuid === p.uuid)!;
    const wanted = cur.interfaceOverride?.[p.uuid];
    if (wanted !== undefined && wanted !== p.interfaceLabel && wanted !== p.ifname && normaliseMac(wanted) !== p.mac) {
      return false;
    }
    return portStillThere(node, p.interfaceLabel, p.mac);
  });
}
