// planCluster: three onboarded nodes' NIC inventories → one serialisable plan (names, cluster ports, addresses,
// seed). Same inputs give the same plan. Keeping a plan once made is the cluster service's job: it stores it.
import { deviceName } from '../eve/policy.js';
import { checkPrefix, DEFAULT_CLUSTER_PREFIX, planAddresses } from './addresses.js';
import { chooseClusterInterfaces, type InterfaceOverride } from './interface-choice.js';
import { byNodeOrder, carriesManagement, displayName, focusManagement, type NodeNics } from './inventory.js';
import { formatPrefix } from './ipv4.js';
import { chooseSeed } from './seed.js';

export interface PlannedNode {
  uuid: string;
  /** device_name: a unique Kubernetes node name (eve-api-facts §1.2). */
  name: string;
  ip: string;
  /** cluster_ip_prefix: this node's IP with the prefix length (eve-api-facts §1.1 field 4). */
  ipPrefix: string;
  /** cluster_interface: the logical label of the cluster port. */
  interfaceLabel: string;
  ifname: string;
  mac: string;
  why: string;
  role: 'seed' | 'joiner';
}

export interface ClusterPlan {
  clusterId: string;
  name: string;
  prefix: string;
  seedUuid: string;
  seedWhy: string;
  /** The seed's IP, sent to all three nodes (eve-api-facts §1.1 field 6). */
  joinServerIp: string;
  /** In node order (serial, then UUID); the order seed reassignment walks. */
  nodes: PlannedNode[];
  /** Evidence the planner went without (a node's ZInfoHardware after the grace period); empty when complete. */
  missingEvidence?: string[];
}

export interface PlanInput {
  clusterId: string;
  name?: string;
  /** Site cluster prefix; DEFAULT_CLUSTER_PREFIX when absent. */
  prefix?: string;
  nodes: NodeNics[];
  /** The appliance's own management subnets (CIDR). */
  applianceSubnets?: string[];
  /** Seed by UUID, serial or device name (site file or UI). */
  seedOverride?: string;
  interfaceOverride?: InterfaceOverride;
}

export type PlanResult =
  | { kind: 'ok'; plan: ClusterPlan }
  | { kind: 'wait'; reason: string }
  | { kind: 'error'; message: string };

/** EVE's 3-node EVE-k cluster: exactly three control-plane (etcd) nodes (eve-api-facts §5.6). */
export const CLUSTER_SIZE = 3;
export const DEFAULT_CLUSTER_NAME = 'eveboot';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function gate(input: PlanInput): PlanResult | undefined {
  // EVE drops the whole cluster config when cluster_id is not a UUID (eve-api-facts §1.4).
  if (!uuidPattern.test(input.clusterId))
    return { kind: 'error', message: `cluster id "${input.clusterId}" is not a UUID` };
  const names = input.nodes.map(displayName).join(', ') || 'none';
  if (input.nodes.length < CLUSTER_SIZE) {
    return { kind: 'wait', reason: `waiting for nodes: ${input.nodes.length} of ${CLUSTER_SIZE} onboarded (${names})` };
  }
  if (input.nodes.length > CLUSTER_SIZE) {
    return {
      kind: 'error',
      message: `${input.nodes.length} nodes (${names}): a cluster has exactly three; remove the extra from the site file`,
    };
  }
  const silent = input.nodes.filter((n) => !n.nics.some((nic) => nic.sources.includes('eve-port')));
  if (silent.length > 0) {
    return {
      kind: 'wait',
      reason: `waiting for ${silent.map(displayName).join(', ')} to report its ports (systemAdapter)`,
    };
  }
  return undefined;
}

/** Unique, valid K8s node names, given out in node order. */
function named(nodes: NodeNics[]): NodeNics[] {
  const taken = new Set<string>();
  return nodes.map((n) => {
    const name = deviceName(n.name, n.serial, n.softSerial ?? '', taken);
    taken.add(name);
    return { ...n, name };
  });
}

export function planCluster(input: PlanInput): PlanResult {
  const stop = gate(input);
  if (stop) return stop;
  const applianceSubnets = input.applianceSubnets ?? [];
  const nodes = named([...input.nodes].sort(byNodeOrder)).map((n) => ({
    ...n,
    nics: focusManagement(n.nics, applianceSubnets),
  }));
  const name = input.name ?? DEFAULT_CLUSTER_NAME;
  const mgmtSubnets = [
    ...applianceSubnets,
    ...nodes.flatMap((n) => n.nics.filter(carriesManagement).flatMap((nic) => (nic.subnet ? [nic.subnet] : []))),
  ];
  const prefix = checkPrefix(input.prefix ?? DEFAULT_CLUSTER_PREFIX, mgmtSubnets);
  if (typeof prefix === 'string') return { kind: 'error', message: prefix };
  const prefixText = formatPrefix(prefix);
  const ports = chooseClusterInterfaces(nodes, input.interfaceOverride, prefix);
  if (ports.kind === 'error') return ports;
  const seed = chooseSeed(nodes, input.seedOverride);
  if (seed.kind === 'error') return seed;
  const addrs = planAddresses(
    prefixText,
    seed.uuid,
    nodes.map((n) => n.uuid),
    mgmtSubnets,
  );
  if (addrs.kind === 'error') return addrs;

  const planned = nodes.map((n): PlannedNode => {
    const ip = addrs.ips.get(n.uuid)!;
    const port = ports.choices.get(n.uuid)!;
    const role = n.uuid === seed.uuid ? 'seed' : 'joiner';
    return {
      uuid: n.uuid,
      name: n.name,
      ip,
      ipPrefix: `${ip}/${prefix.len}`,
      interfaceLabel: port.label,
      ifname: port.ifname,
      mac: port.mac,
      why: port.why,
      role,
    };
  });
  const joinServerIp = addrs.ips.get(seed.uuid)!;
  return {
    kind: 'ok',
    plan: {
      clusterId: input.clusterId,
      name,
      prefix: prefixText,
      seedUuid: seed.uuid,
      seedWhy: seed.why,
      joinServerIp,
      nodes: planned,
    },
  };
}
