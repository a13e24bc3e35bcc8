// Interim planner until NIC-inventory planning lands (src/core/plan): seed = operator choice or lowest serial,
// addresses = first usable hosts of the prefix, interface = the site's per-node override or eth0.
import type { DeviceRecord } from '../../ports/store.js';

export interface PlanInput {
  clusterId: string;
  name: string;
  prefix: string;
  expected: number;
  seed?: string;
  interfaces: Record<string, string>;
  devices: DeviceRecord[];
}

export interface ClusterPlanV0 {
  clusterId: string;
  name: string;
  prefix: string;
  seedUuid: string;
  joinServerIp: string;
  nodes: {
    uuid: string;
    name: string;
    ip: string;
    ipPrefix: string;
    interfaceLabel: string;
    role: 'seed' | 'joiner';
  }[];
}

export type PlanResult = { kind: 'ok'; plan: ClusterPlanV0 } | { kind: 'wait'; reason: string };

export function planV0(input: PlanInput): PlanResult {
  const ready = input.devices.filter((d) => d.ecdhCertHash);
  if (ready.length < input.expected) {
    return { kind: 'wait', reason: `${ready.length}/${input.expected} nodes have sent their ECDH cert` };
  }
  const sorted = [...ready].sort((a, b) => (a.serial || a.softSerial).localeCompare(b.serial || b.softSerial));
  const seed =
    sorted.find((d) => input.seed && [d.serial, d.softSerial, d.name, d.uuid].includes(input.seed)) ?? sorted[0]!;
  const order = [seed, ...sorted.filter((d) => d !== seed)].slice(0, input.expected);
  const [base, len] = input.prefix.split('/') as [string, string];
  const baseInt = base.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const ipOf = (i: number) => {
    const n = baseInt + 1 + i;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  };
  const nodes = order.map((d, i) => ({
    uuid: d.uuid,
    name: d.name,
    ip: ipOf(i),
    ipPrefix: `${ipOf(i)}/${len}`,
    interfaceLabel: input.interfaces[d.serial] ?? input.interfaces[d.softSerial] ?? 'eth0',
    role: (i === 0 ? 'seed' : 'joiner') as 'seed' | 'joiner',
  }));
  return {
    kind: 'ok',
    plan: {
      clusterId: input.clusterId,
      name: input.name,
      prefix: input.prefix,
      seedUuid: seed.uuid,
      joinServerIp: ipOf(0),
      nodes,
    },
  };
}
