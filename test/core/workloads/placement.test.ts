// Designated nodes at first deployment, kept afterwards (eve-workloads-facts §4.1).
import { describe, expect, it } from 'vitest';
import type { AppSpec, WorkloadState, WorkloadsSpec } from '../../../src/core/workloads/model.js';
import { emptyWorkloadState, placeWorkloads } from '../../../src/core/workloads/placement.js';
import { NODES, SPEC } from './three-node-site.js';

const [, n2, n3] = NODES.map((n) => n.uuid) as [string, string, string];
const app = (name: string, over: Partial<AppSpec> = {}): AppSpec => ({
  name,
  kind: 'vm',
  image: 'd',
  vcpus: 1,
  memoryMiB: 512,
  networks: [],
  volumes: [],
  node: 'auto',
  affinity: 'preferred',
  ...over,
});
const spec = (apps: AppSpec[], volumes: WorkloadsSpec['volumes'] = []): WorkloadsSpec => ({
  networks: [],
  volumes,
  apps,
});
const nodesOf = (s: WorkloadState) => ({
  apps: Object.fromEntries(Object.entries(s.apps).map(([k, p]) => [k, `${p.nodeUuid.slice(0, 1)}:${p.reason}`])),
  volumes: Object.fromEntries(Object.entries(s.volumes).map(([k, p]) => [k, `${p.nodeUuid.slice(0, 1)}:${p.reason}`])),
});

describe('placeWorkloads', () => {
  const cases: {
    name: string;
    input: { spec: WorkloadsSpec; prev?: WorkloadState };
    want: ReturnType<typeof nodesOf> | string[];
  }[] = [
    {
      name: 'auto apps go to the least loaded node, ties to plan order',
      input: { spec: spec([app('a'), app('b'), app('c'), app('d')]) },
      want: { apps: { a: '1:auto', b: '2:auto', c: '3:auto', d: '1:auto' }, volumes: {} },
    },
    {
      name: 'least loaded counts memory: a big app on node 1 sends the next two elsewhere',
      input: { spec: spec([app('big', { node: 'edge-1', memoryMiB: 4096 }), app('a'), app('b'), app('c')]) },
      want: { apps: { big: '1:declared', a: '2:auto', b: '3:auto', c: '2:auto' }, volumes: {} },
    },
    {
      name: 'a declared node by serial',
      input: { spec: spec([app('a', { node: 'SN-0003' })]) },
      want: { apps: { a: '3:declared' }, volumes: {} },
    },
    {
      name: 'the fixture site: web follows its non-replicated volume to edge-3, history follows plc to edge-1',
      input: { spec: SPEC },
      want: {
        apps: { web: '3:auto', plc: '1:declared' },
        volumes: { scratch: '3:declared', history: '1:declared' },
      },
    },
    {
      name: 'an existing auto placement is kept even when another node is now less loaded',
      input: {
        spec: spec([app('a'), app('b')]),
        prev: { ...emptyWorkloadState(), apps: { a: { nodeUuid: n2, since: 1, reason: 'auto' } } },
      },
      want: { apps: { a: '2:auto', b: '1:auto' }, volumes: {} },
    },
    {
      name: 'a manual move is kept although the site declares another node',
      input: {
        spec: spec([app('a', { node: 'edge-1' })]),
        prev: { ...emptyWorkloadState(), apps: { a: { nodeUuid: n3, since: 1, reason: 'manual' } } },
      },
      want: { apps: { a: '3:manual' }, volumes: {} },
    },
    {
      name: 'a placement on a node that left the plan is made again',
      input: {
        spec: spec([app('a')]),
        prev: { ...emptyWorkloadState(), apps: { a: { nodeUuid: 'gone', since: 1, reason: 'auto' } } },
      },
      want: { apps: { a: '1:auto' }, volumes: {} },
    },
    {
      name: 'a replicated volume nobody mounts goes to the first node',
      input: { spec: spec([], [{ name: 'v', sizeBytes: 1, replicated: true }]) },
      want: { apps: {}, volumes: { v: '1:auto' } },
    },
    {
      name: 'an unknown node holds the deployment with the site path',
      input: { spec: spec([app('a'), app('b', { node: 'edge-9' })]) },
      want: ['workloads.apps.1.node: no node edge-9 in this cluster'],
    },
    {
      name: 'a required app whose non-replicated volume another app pinned elsewhere is held',
      input: {
        spec: spec(
          [app('a', { node: 'edge-2', affinity: 'required', volumes: ['v'] })],
          [{ name: 'v', sizeBytes: 1, replicated: false, node: 'edge-1' }],
        ),
      },
      want: [
        'workloads.apps.0.volumes: required app a cannot reach volume v: it is not replicated and lives on edge-1',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = placeWorkloads(c.input.spec, c.input.prev ?? emptyWorkloadState(), NODES, 1000);
      expect(r.kind === 'ok' ? nodesOf(r.state) : r.reasons).toEqual(c.want);
    });
  }

  it('placing again from its own result changes nothing (a restart keeps every placement)', () => {
    const first = placeWorkloads(SPEC, emptyWorkloadState(), NODES, 1000);
    if (first.kind !== 'ok') throw new Error('held');
    const again = placeWorkloads(SPEC, first.state, NODES, 99999);
    expect(again).toEqual(first);
  });

  it('the node order matters only for ties', () => {
    const r = placeWorkloads(spec([app('a')]), emptyWorkloadState(), [NODES[2]!, NODES[0]!, NODES[1]!], 1);
    expect(r.kind === 'ok' && r.state.apps.a?.nodeUuid).toBe(n3);
  });
});
