// Manual moves (eve-workloads-facts §4.5): the designated node changes, a replicated volume follows, and a move
// whose volume cannot follow is refused with the reason.
import { describe, expect, it } from 'vitest';
import type { WorkloadState } from '../../../src/core/workloads/model.js';
import { MOVE_PENDING_EXPLANATION, moveApp } from '../../../src/core/workloads/move.js';
import { placeWorkloads } from '../../../src/core/workloads/placement.js';
import { NODES, SPEC } from './three-node-site.js';

const placed = placeWorkloads(SPEC, { apps: {}, volumes: {}, moves: {} }, NODES, 1000);
if (placed.kind !== 'ok') throw new Error('fixture site does not place');
const state: WorkloadState = placed.state;
const [n1, n2] = NODES.map((n) => n.uuid) as [string, string];

describe('moveApp', () => {
  const cases: {
    name: string;
    input: { app: string; to: string; spec?: typeof SPEC };
    want: Record<string, unknown>;
  }[] = [
    {
      name: 'a VM with a replicated volume moves, and its volume with it',
      input: { app: 'plc', to: 'edge-2' },
      want: {
        kind: 'moved',
        from: n1,
        to: n2,
        app: { nodeUuid: n2, since: 5000, reason: 'manual' },
        volume: { nodeUuid: n2, since: 5000, reason: 'manual' },
        explanation: MOVE_PENDING_EXPLANATION,
      },
    },
    {
      name: 'the target may be named by serial',
      input: { app: 'plc', to: 'SN-0002' },
      want: { kind: 'moved', to: n2 },
    },
    {
      name: 'an app whose volume is not replicated is refused with the reason',
      input: { app: 'web', to: 'edge-1' },
      want: {
        kind: 'refused',
        code: 'conflict',
        reason:
          'app web mounts volume scratch, which is not replicated: it exists only on its node and cannot follow the app',
      },
    },
    {
      name: 'an unknown node is refused',
      input: { app: 'plc', to: 'edge-7' },
      want: { kind: 'refused', code: 'not-found', reason: 'no node edge-7 in this cluster' },
    },
    {
      name: 'an unknown app is refused',
      input: { app: 'nope', to: 'edge-2' },
      want: { kind: 'refused', code: 'not-found', reason: "no app nope in this cluster's workloads" },
    },
    {
      name: 'a move to the node it is already on is refused',
      input: { app: 'plc', to: 'edge-1' },
      want: { kind: 'refused', code: 'conflict', reason: 'app plc is already designated on edge-1' },
    },
    {
      name: 'a replicated volume shared with another app cannot follow one of them',
      input: {
        app: 'plc',
        to: 'edge-2',
        spec: { ...SPEC, apps: [...SPEC.apps, { ...SPEC.apps[1]!, name: 'plc2', node: 'edge-1' }] },
      },
      want: {
        kind: 'refused',
        code: 'conflict',
        reason: 'volume history is also mounted by app plc2: move both by editing the site file',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = moveApp(state, c.input.spec ?? SPEC, c.input.app, c.input.to, { nodes: NODES, now: 5000 });
      const got: Record<string, unknown> =
        r.kind === 'refused'
          ? r
          : {
              kind: r.kind,
              from: r.from,
              to: r.to,
              app: r.state.apps[c.input.app],
              volume: r.state.volumes.history,
              explanation: r.explanation,
            };
      expect(got).toMatchObject(c.want);
    });
  }

  it('leaves the input state untouched (a refused or applied move is a new value)', () => {
    const before = JSON.stringify(state);
    moveApp(state, SPEC, 'plc', 'edge-3', { nodes: NODES, now: 5000 });
    expect(JSON.stringify(state)).toBe(before);
  });

  it('a moved placement survives the next placement pass although the site declares edge-1', () => {
    const r = moveApp(state, SPEC, 'plc', 'edge-2', { nodes: NODES, now: 5000 });
    if (r.kind !== 'moved') throw new Error(r.reason);
    const again = placeWorkloads(SPEC, r.state, NODES, 9000);
    expect(again.kind === 'ok' && [again.state.apps.plc?.nodeUuid, again.state.volumes.history?.nodeUuid]).toEqual([
      n2,
      n2,
    ]);
  });
});
