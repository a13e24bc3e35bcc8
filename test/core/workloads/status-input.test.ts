import { toJsonString } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { leaderFromReport } from '../../../src/core/workloads/status-input.js';
import { ZInfoMsgSchema } from '../../../src/gen/info/info_pb.js';
import { kubeClusterInfo } from '../../../src/sim/k3s-reports.js';

const CLUSTER = 'c1c1c1c1-0000-4000-8000-00000000c1c1';
const T = 1_800_000_000_000;
const member = (n: number) => ({
  name: `edge-${n}-0a1b2c3d`,
  peerURLs: [],
  clientURLs: [],
  uuid: `${n}${n}${n}${n}${n}${n}${n}${n}-0000-4000-8000-000000000000`,
  ip: `10.244.244.${n}`,
});
const stored = (clusterId: string) =>
  toJsonString(
    ZInfoMsgSchema,
    kubeClusterInfo(
      clusterId,
      [
        { member: member(1), up: true, since: T - 600_000 },
        { member: member(2), up: false, since: T - 20_000 },
      ],
      T,
      {
        pods: [{ name: 'web-abcde-0-x7k2p', nodeName: 'edge-1', running: true, createdAt: T }],
        vmis: [{ name: 'db-vm-bcdef-0-q2w3e', nodeName: 'edge-2', running: false, createdAt: T, changedAt: T }],
      },
    ),
  );

describe("the leader's ZInfoKubeCluster as the status side reads it", () => {
  const cases = [
    {
      name: 'another cluster (a single-node EVE-k report) says nothing about ours',
      input: stored('00000000-0000-0000-0000-000000000000'),
      want: undefined,
    },
    { name: 'not JSON of a ZInfoMsg', input: '{"ztype": "nope"', want: undefined },
    {
      name: 'nodes with READY and since when; pods and VMIs with their node and whether they run',
      input: stored(CLUSTER),
      want: {
        reporter: 'me',
        // No atTimeStamp in this message (SimDevice.sendInfo stamps it): when it was stored.
        at: T - 1,
        nodes: [
          { name: 'edge-1', nodeId: member(1).uuid, ready: true, readySince: T - 600_000 },
          { name: 'edge-2', nodeId: member(2).uuid, ready: false, readySince: T - 20_000 },
        ],
        workloads: [
          { name: 'web-abcde-0-x7k2p', nodeName: 'edge-1', running: true },
          { name: 'db-vm-bcdef-0-q2w3e', nodeName: 'edge-2', running: false },
        ],
      },
    },
  ];
  for (const c of cases) it(c.name, () => expect(leaderFromReport(c.input, 'me', T - 1, CLUSTER)).toEqual(c.want));
});
