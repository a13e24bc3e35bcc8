// A 3-node cluster with one preferred container app and one required VM app, for the status and move tables.
import type { LeaderView } from '../../../src/core/workloads/leader-apps.js';
import { kubeAppName } from '../../../src/core/workloads/leader-apps.js';
import type { NodeLiveness } from '../../../src/core/workloads/liveness.js';
import { type AppClaim, type WorkloadsSpec, workloadUuid } from '../../../src/core/workloads/model.js';
import type { StatusInput } from '../../../src/core/workloads/status.js';
import { ZSwState } from '../../../src/gen/info/info_pb.js';

export const CLUSTER = '6a3e1b7c-0000-4000-8000-00000000c1c1';
export const N = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
] as const;
export const T0 = 1_800_000_000_000;
export const WEB = workloadUuid(CLUSTER, 'app', 'web');
export const DB = workloadUuid(CLUSTER, 'app', 'db-vm');

export const spec: WorkloadsSpec = {
  networks: [{ name: 'lan', kind: 'local', port: 'eth0', subnet: '10.1.0.0/24' }],
  volumes: [{ name: 'db-disk', image: 'debian', replicated: true }],
  apps: [
    {
      name: 'web',
      kind: 'container',
      image: 'nginx',
      vcpus: 1,
      memoryMiB: 256,
      networks: ['lan'],
      volumes: [],
      node: 'edge-2',
      affinity: 'preferred',
    },
    {
      name: 'db-vm',
      kind: 'vm',
      image: 'debian',
      vcpus: 2,
      memoryMiB: 1024,
      networks: ['lan'],
      volumes: ['db-disk'],
      node: 'edge-2',
      affinity: 'required',
    },
  ],
};

export function nodes(over: Record<number, Partial<NodeLiveness>> = {}, now = T0): NodeLiveness[] {
  return N.map((uuid, i) => ({ uuid, name: `edge-${i + 1}`, lastContactAt: now - 1000, ...over[i + 1] }));
}

export function claim(app: string, node: number, at: number, over: Partial<AppClaim> = {}): AppClaim {
  return { appUuid: app, deviceUuid: N[node - 1]!, state: ZSwState.RUNNING, clusterAppRunning: true, at, ...over };
}

/** The leader's view with the app's VMI (or pod) on `node` (1-based), all nodes Ready unless told. */
export function leader(at: number, placed: Record<string, number>, notReady: number[] = []): LeaderView {
  return {
    reporter: N[0],
    at,
    nodes: N.map((nodeId, i) => ({ name: `edge-${i + 1}`, nodeId, ready: !notReady.includes(i + 1) })),
    workloads: Object.entries(placed).map(([app, node]) => ({
      name: `${kubeAppName(app, workloadUuid(CLUSTER, 'app', app))}-x7k2p`,
      nodeName: `edge-${node}`,
      running: true,
    })),
  };
}

export function input(over: Partial<StatusInput> = {}): StatusInput {
  return {
    clusterId: CLUSTER,
    now: T0,
    spec,
    state: {
      deployedAt: T0 - 600_000,
      apps: {
        web: { nodeUuid: N[1], since: T0 - 600_000, reason: 'declared' },
        'db-vm': { nodeUuid: N[1], since: T0 - 600_000, reason: 'declared' },
      },
      volumes: {},
      moves: {},
    },
    nodes: nodes(),
    claims: [],
    content: [],
    ...over,
  };
}
