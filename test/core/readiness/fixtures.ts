// One planned three-node cluster for the readiness tables: node-1 (seed) .1, node-2 .2, node-3 .3 on eth1.
import type { ClusterPlan } from '../../../src/core/plan/cluster-plan.js';

export const ID = '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b';
export const U = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];

export const plan: ClusterPlan = {
  clusterId: ID,
  name: 'eveboot',
  prefix: '10.244.244.0/28',
  seedUuid: U[0]!,
  seedWhy: 'node-1: lowest serial',
  joinServerIp: '10.244.244.1',
  nodes: [1, 2, 3].map((n) => ({
    uuid: U[n - 1]!,
    name: `node-${n}`,
    ip: `10.244.244.${n}`,
    ipPrefix: `10.244.244.${n}/28`,
    interfaceLabel: 'eth1',
    ifname: 'eth1',
    mac: `02:00:00:00:0${n}:01`,
    why: '',
    role: n === 1 ? 'seed' : 'joiner',
  })),
};
