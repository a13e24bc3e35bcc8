import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { evaluateReadiness, type ReadinessInput } from '../../../src/core/readiness/evaluate.js';
import { memberMatches } from '../../../src/core/readiness/members.js';
import { type KubeClusterView, kubeClusterView, type ProbeResult } from '../../../src/core/readiness/observation.js';
import { KubeNodeConditionType, NodeAdmission } from '../../../src/gen/info/edge_node_cluster_pb.js';
import { ZInfoKubeClusterSchema } from '../../../src/gen/info/info_pb.js';
import { ID, plan, U } from './fixtures.js';

const MEMBERS = ['node-1-0a1b2c3d', 'node-2-1a2b3c4d', 'node-3-2a3b4c5d'];
const ok = (detail = 'ok') => ({ ok: true, detail });
const no = (detail: string) => ({ ok: false, detail });

function probe(n: number, over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    uuid: U[n - 1]!,
    name: `node-${n}`,
    ip: `10.244.244.${n}`,
    at: 100,
    status: { ...ok(), body: `cluster:${ID}` },
    ping: ok('pong'),
    cacerts: { ...ok(), sha256: 'aa', pin: n === 1 ? 'pinned-now' : 'match' },
    readyz: ok('200 ok'),
    dbInfo: { ...ok(), members: MEMBERS },
    ...over,
  };
}
const down = (n: number): ProbeResult =>
  probe(n, {
    status: no('connect ECONNREFUSED'),
    ping: no('connect ECONNREFUSED'),
    cacerts: no('connect ECONNREFUSED'),
    readyz: no('connect ECONNREFUSED'),
    dbInfo: no('connect ECONNREFUSED'),
  });
const kube = (nodes: { n: number; ready?: boolean; admission?: string }[]): KubeClusterView => ({
  at: 100,
  reporter: U[0]!,
  clusterId: ID,
  nodes: nodes.map(({ n, ready = true, admission = 'JOINED' }) => ({
    name: `node-${n}`,
    nodeId: U[n - 1]!,
    internalIp: `10.244.244.${n}`,
    ready,
    admission,
  })),
});
const all = [probe(1), probe(2), probe(3)];

describe('evaluateReadiness', () => {
  const cases: {
    name: string;
    input: Omit<ReadinessInput, 'plan'>;
    want: { ready: boolean; quorum: string; basis?: string; missing?: RegExp[]; evidence?: RegExp };
  }[] = [
    {
      name: 'three members, readyz and status everywhere, EVE agrees: ready',
      input: { probeRoute: true, probes: all, kube: kube([{ n: 1 }, { n: 2 }, { n: 3 }]) },
      want: { ready: true, quorum: '3/3', basis: 'probes' },
    },
    {
      name: 'probes complete without an EVE report yet: ready, and the note says EVE has not reported',
      input: { probeRoute: true, probes: all },
      want: { ready: true, quorum: '3/3', evidence: /has not sent ZInfoKubeCluster/ },
    },
    {
      name: 'only two etcd members listed: not ready, the third named',
      input: {
        probeRoute: true,
        probes: [
          probe(1, { dbInfo: { ...ok(), members: MEMBERS.slice(0, 2) } }),
          probe(2, { dbInfo: { ...ok(), members: MEMBERS.slice(0, 2) } }),
          probe(3, { status: { ...ok(), body: '' }, readyz: no('HTTP 503'), dbInfo: no('HTTP 503') }),
        ],
      },
      want: {
        ready: false,
        quorum: '2/3',
        missing: [/node-3: :12346\/status is not cluster:/, /node-3: not in the etcd member list/],
      },
    },
    {
      name: 'readyz 503 on one server blocks ready',
      input: { probeRoute: true, probes: [probe(1), probe(2), probe(3, { readyz: no('HTTP 503') })] },
      want: { ready: false, quorum: '3/3', missing: [/node-3: \/v1-k3s\/readyz: HTTP 503/] },
    },
    {
      name: 'a CA that differs from the pin blocks ready',
      input: {
        probeRoute: true,
        probes: [
          probe(1),
          probe(2),
          probe(3, { cacerts: { ok: true, detail: 'sha256 bb, pinned aa', sha256: 'bb', pin: 'mismatch' } }),
        ],
      },
      want: { ready: false, quorum: '3/3', missing: [/node-3: \/cacerts does not match the pinned CA/] },
    },
    {
      name: 'a member that is none of the devices blocks ready',
      input: {
        probeRoute: true,
        probes: all.map((p) => ({ ...p, dbInfo: { ...ok(), members: [...MEMBERS, 'stranger-0a0b0c0d'] } })),
      },
      want: { ready: false, quorum: '3/3', missing: [/stranger-0a0b0c0d, which is none/] },
    },
    {
      name: 'EVE disagreeing (a node not READY) blocks ready',
      input: { probeRoute: true, probes: all, kube: kube([{ n: 1 }, { n: 2 }, { n: 3, ready: false }]) },
      want: { ready: false, quorum: '3/3', missing: [/EVE: node-3 has no READY condition set/] },
    },
    {
      name: 'a node down after ready: quorum 2/3',
      input: { probeRoute: true, probes: [probe(1), probe(2), down(3)] },
      want: { ready: false, quorum: '2/3', missing: [/node-3: \/ping: connect ECONNREFUSED/] },
    },
    {
      name: 'two nodes down: quorum 1/3',
      input: { probeRoute: true, probes: [probe(1), down(2), down(3)] },
      want: { ready: false, quorum: '1/3' },
    },
    {
      name: 'no route to the cluster IPs: EVE alone can make it ready, and says so',
      input: { probeRoute: false, probes: [], kube: kube([{ n: 1 }, { n: 2 }, { n: 3 }]) },
      want: { ready: true, quorum: '3/3', basis: 'eve', evidence: /readiness rests on EVE's ZInfoKubeCluster alone/ },
    },
    {
      name: 'no route and a node still JOINING: not ready',
      input: {
        probeRoute: false,
        probes: [],
        kube: kube([{ n: 1 }, { n: 2 }, { n: 3, ready: false, admission: 'JOINING' }]),
      },
      want: { ready: false, quorum: '2/3', missing: [/node-3 admission is JOINING, not JOINED/] },
    },
    {
      name: 'no route and no EVE report: nothing to go on',
      input: { probeRoute: false, probes: [] },
      want: { ready: false, quorum: '0/3', basis: 'none', missing: [/has not sent ZInfoKubeCluster/] },
    },
    {
      name: 'nothing probed yet',
      input: { probeRoute: true, probes: [] },
      want: { ready: false, quorum: '0/3', missing: [/no probe results yet/, /node-1: not probed yet/] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = evaluateReadiness({ plan, ...c.input });
      expect({ ready: r.ready, quorum: r.quorum }).toEqual({ ready: c.want.ready, quorum: c.want.quorum });
      if (c.want.basis) expect(r.basis).toBe(c.want.basis);
      for (const m of c.want.missing ?? [])
        expect(
          r.missing.some((x) => m.test(x)),
          `${m} in ${JSON.stringify(r.missing)}`,
        ).toBe(true);
      if (c.want.evidence) expect(r.evidence.some((x) => c.want.evidence!.test(x))).toBe(true);
      if (c.want.ready) expect(r.missing).toEqual([]);
    });
  }

  it('the seed counts as initialised once its status answers, before /db/info', () => {
    const r = evaluateReadiness({
      plan,
      probeRoute: true,
      probes: [probe(1, { dbInfo: no('HTTP 401') }), down(2), down(3)],
    });
    expect(r.seedInitialised).toBe(true);
    expect(r.members).toEqual([U[0]]);
  });
});

describe('etcd member names', () => {
  const cases = [
    { name: 'K3s names a member <node-name>-<8 hex>', input: ['node-1-0a1b2c3d', 'node-1'], want: true },
    { name: 'the bare node name matches too', input: ['node-1', 'node-1'], want: true },
    { name: 'another node with a common prefix does not match', input: ['node-10-0a1b2c3d', 'node-1'], want: false },
    {
      name: 'device names are lower-cased with _ → - as kube-init does',
      input: ['edge-a-0a1b2c3d', 'Edge_A'],
      want: true,
    },
  ] as const;
  for (const c of cases) it(c.name, () => expect(memberMatches(c.input[0], c.input[1])).toBe(c.want));
});

describe('what ZInfoKubeCluster proves (eve-conformance §3)', () => {
  const report = (roleServer: boolean, admission: NodeAdmission) =>
    kubeClusterView(
      create(ZInfoKubeClusterSchema, {
        clusterId: ID,
        nodes: [1, 2, 3].map((n) => ({
          name: `node-${n}`,
          nodeId: U[n - 1],
          roleServer,
          admissionStatus: n === 3 ? admission : NodeAdmission.JOINED,
          conditions: [{ type: KubeNodeConditionType.READY, set: true }],
        })),
      }),
      U[0]!,
      5,
    );
  const cases = [
    {
      name: 'role_server false everywhere changes nothing: EVE hard-codes it, so it is no evidence',
      input: report(false, NodeAdmission.JOINED),
      want: { ready: true, quorum: '3/3' },
    },
    {
      name: 'role_server true does not make a JOINING node a member (no etcd label yet)',
      input: report(true, NodeAdmission.JOINING),
      want: { ready: false, quorum: '2/3' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = evaluateReadiness({ plan, probeRoute: false, probes: [], kube: c.input });
      expect({ ready: r.ready, quorum: r.quorum }).toEqual(c.want);
      expect(JSON.stringify(r)).not.toMatch(/role_server/);
    });
  }
  it('a node is found by its K8s node name (device name lower-cased, _ → -) when node_id is empty', () => {
    const named = { ...plan, nodes: plan.nodes.map((n, i) => ({ ...n, name: `Edge_${i + 1}` })) };
    const k = kube([{ n: 1 }, { n: 2 }, { n: 3 }]);
    k.nodes = k.nodes.map((x, i) => ({ ...x, nodeId: '', name: `edge-${i + 1}` }));
    expect(evaluateReadiness({ plan: named, probeRoute: false, probes: [], kube: k }).ready).toBe(true);
  });
});

describe('kubeClusterView', () => {
  it('reduces the leader report to READY and admission per node (role_server is not kept)', () => {
    const msg = create(ZInfoKubeClusterSchema, {
      clusterId: ID,
      nodes: [
        {
          name: 'node-1',
          nodeId: U[0],
          roleServer: true,
          admissionStatus: NodeAdmission.JOINED,
          conditions: [{ type: KubeNodeConditionType.READY, set: true }],
        },
      ],
    });
    expect(kubeClusterView(msg, U[0]!, 5).nodes).toEqual([
      { name: 'node-1', nodeId: U[0], internalIp: '', ready: true, admission: 'JOINED' },
    ]);
  });
});
