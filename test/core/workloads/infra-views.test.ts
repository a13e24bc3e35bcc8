// Networks show one state per node (every node creates every network instance); a volume shows only its
// designated node's report (the only one that reflects the real PVC, eve-workloads-facts §4.1).
import { describe, expect, it } from 'vitest';
import { type InfraInput, networkViews, volumeViews } from '../../../src/core/workloads/infra-views.js';
import { workloadUuid } from '../../../src/core/workloads/model.js';

const CID = '0b6f2d2e-4f0e-4b8e-9a54-1f1d7c1c2a10';
const nodes = [
  { uuid: 'a', name: 'node-a' },
  { uuid: 'b', name: 'node-b' },
  { uuid: 'c', name: 'node-c' },
];
const lan = workloadUuid(CID, 'network', 'lan');
const data = workloadUuid(CID, 'volume', 'data');
const base: InfraInput = {
  clusterId: CID,
  spec: {
    networks: [{ name: 'lan', kind: 'local', port: 'eth0', subnet: '10.1.0.0/24' }],
    volumes: [{ name: 'data', sizeBytes: 1 << 30, replicated: true, node: 'node-a' }],
    apps: [],
  },
  nodes,
  networkReports: [],
  volumeReports: [],
};

describe('networkViews', () => {
  it.each([
    {
      name: 'no report yet leaves every node without a state',
      input: base,
      want: [{ node: 'node-a' }, { node: 'node-b' }, { node: 'node-c' }],
    },
    {
      name: 'each node shows its own report, errors included',
      input: {
        ...base,
        networkReports: [
          { deviceUuid: 'a', objectUuid: lan, state: 'ONLINE' },
          { deviceUuid: 'b', objectUuid: lan, state: 'ERROR', error: 'no port is matching label eth0' },
          { deviceUuid: 'c', objectUuid: 'other', state: 'ONLINE' },
        ],
      },
      want: [
        { node: 'node-a', state: 'ONLINE' },
        { node: 'node-b', state: 'ERROR', error: 'no port is matching label eth0' },
        { node: 'node-c' },
      ],
    },
  ])('$name', ({ input, want }) => {
    const [v] = networkViews(input);
    expect(v).toMatchObject({ name: 'lan', uuid: lan, kind: 'local', port: 'eth0', subnet: '10.1.0.0/24' });
    expect(v!.nodes).toEqual(want);
  });
});

describe('volumeViews', () => {
  it.each([
    {
      name: 'before placement the declared node is the designated one',
      input: { ...base, volumeReports: [{ deviceUuid: 'a', objectUuid: data, state: 'CREATING_VOLUME', percent: 40 }] },
      want: { designatedNode: 'node-a', state: 'CREATING_VOLUME', progressPercent: 40 },
    },
    {
      name: "after a move only the new designated node's report counts, not the early CREATED of the others",
      input: {
        ...base,
        state: { apps: {}, volumes: { data: { nodeUuid: 'b', since: 1, reason: 'manual' as const } }, moves: {} },
        volumeReports: [
          { deviceUuid: 'a', objectUuid: data, state: 'CREATED_VOLUME' },
          { deviceUuid: 'b', objectUuid: data, state: 'ERROR', error: 'longhorn not ready' },
        ],
      },
      want: { designatedNode: 'node-b', state: 'ERROR', error: 'longhorn not ready' },
    },
  ])('$name', ({ input, want }) => {
    expect(volumeViews(input)).toEqual([{ name: 'data', uuid: data, replicated: true, ...want }]);
  });
});
