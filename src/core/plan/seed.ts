// The seed (bootstrap) node is not a field: it is the node whose cluster_ip_prefix address equals join_server_ip
// (eve-api-facts §1.4 step 3). It starts K3s with cluster-init; the others join it (eve-api-facts §5.2).
import { byNodeOrder, type NodeNics, displayName as who } from './inventory.js';

export type SeedResult = { kind: 'ok'; uuid: string; why: string } | { kind: 'error'; message: string };

/** Default: the lowest serial (natural order), then the lowest UUID. An operator override wins. */
export function chooseSeed(nodes: NodeNics[], override?: string): SeedResult {
  if (override) {
    const node = nodes.find((n) => n.uuid === override || n.serial === override || n.name === override);
    if (!node) {
      const known = nodes.map(who).join(', ');
      return {
        kind: 'error',
        message: `seed override "${override}" matches none of ${known}: fix the site file or UI`,
      };
    }
    return { kind: 'ok', uuid: node.uuid, why: `${who(node)}: operator override` };
  }
  const first = [...nodes].sort(byNodeOrder)[0];
  if (!first) return { kind: 'error', message: 'no nodes to choose a seed from' };
  return { kind: 'ok', uuid: first.uuid, why: `${who(first)}: lowest serial (${first.serial || first.uuid})` };
}
