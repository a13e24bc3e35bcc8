import { describe, expect, it } from 'vitest';
import { type ActivityInput, clusterActivity } from '../../../src/core/readiness/activity.js';
import type { KubeClusterView, ProbeResult } from '../../../src/core/readiness/observation.js';
import { ID, plan as threeNodes, U } from './fixtures.js';

const NIL = '00000000-0000-0000-0000-000000000000';
// Two of the three nodes are enough here.
const plan: ActivityInput['plan'] = { ...threeNodes, nodes: threeNodes.nodes.slice(0, 2) };
const refused = { ok: false, detail: 'connect ECONNREFUSED' };
function probe(n: number, over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    uuid: U[n - 1]!,
    name: `node-${n}`,
    ip: `10.244.244.${n}`,
    at: 1,
    status: refused,
    ping: refused,
    cacerts: refused,
    readyz: refused,
    dbInfo: refused,
    ...over,
  };
}
const single = (n: number): KubeClusterView => ({
  at: 1,
  reporter: U[n - 1]!,
  clusterId: NIL,
  nodes: [{ name: `node-${n}`, nodeId: U[n - 1]!, internalIp: '', ready: true, admission: 'NOT_CLUSTERED' }],
});
const quiet: Omit<ActivityInput, 'plan'> = {
  probes: [probe(1), probe(2)],
  kube: [single(1), single(2)],
  portAddrs: { [U[0]!]: ['192.168.1.11'], [U[1]!]: ['192.168.1.12'] },
  apps: { [U[0]!]: false },
};

describe('clusterActivity: what shows a node has left single-node mode', () => {
  const cases: { name: string; input: Partial<ActivityInput>; want: RegExp[] }[] = [
    {
      name: 'two single-node EVE-k nodes: management addresses, no answers, nil cluster_id reports: no activity',
      input: {},
      want: [],
    },
    {
      name: 'a cluster-prefix address on a port (EVE applied the cluster config)',
      input: { portAddrs: { [U[1]!]: ['192.168.1.12', '10.244.244.2'] } },
      want: [/^node-2 reports cluster address 10\.244\.244\.2 on a port$/],
    },
    {
      name: "zedkube's status server answers on a cluster IP, even with an empty body",
      input: { probes: [probe(1), probe(2, { status: { ok: true, detail: '200', body: '' } })] },
      want: [/^node-2: :12346\/status answered ""$/],
    },
    {
      name: 'K3s answers /ping on a cluster IP',
      input: { probes: [probe(1, { ping: { ok: true, detail: 'pong' } }), probe(2)] },
      want: [/^node-1: K3s answers \/ping on 10\.244\.244\.1$/],
    },
    {
      name: 'a ZInfoKubeCluster carrying this cluster id',
      input: { kube: [{ ...single(2), clusterId: ID }] },
      want: [/^node-2: ZInfoKubeCluster for cluster 5b0f3a5e/],
    },
    {
      name: 'a node admitted JOINING (cluster config present, no etcd label yet)',
      input: { kube: [{ ...single(1), nodes: [{ ...single(1).nodes[0]!, admission: 'JOINING' }] }] },
      want: [/^node-1: ZInfoKubeCluster lists node-1 as JOINING$/],
    },
    {
      name: 'cluster_app_running',
      input: { apps: { [U[0]!]: true } },
      want: [/^node-1: EVE reports cluster_app_running$/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = clusterActivity({ plan, ...quiet, ...c.input });
      expect(got).toHaveLength(c.want.length);
      for (const [i, re] of c.want.entries()) expect(got[i]).toMatch(re);
    });
  }
});
