import { describe, expect, it } from 'vitest';
import type { WorkloadState } from '../../../src/core/workloads/model.js';
import { recordMoves } from '../../../src/core/workloads/moves.js';
import { claim, input, N, nodes, T0, WEB } from './fixtures.js';

const lostEdge2 = nodes({ 2: { lastContactAt: T0 - 70_000, leaderReady: { ready: false, since: T0 - 70_000 } } });
const base = input().state!;
const runningOn2: WorkloadState = {
  ...base,
  running: { web: { nodeUuid: N[1], since: T0 - 500_000, lastSeen: T0 - 80_000 } },
};

describe('move history from claims', () => {
  it('the first running claim records where the app runs, and no move', () => {
    const r = recordMoves(input({ claims: [claim(WEB, 2, T0 - 80_000)] }));
    expect(r.added).toEqual([]);
    expect(r.changed).toBe(true);
    expect(r.state.running?.web).toEqual({ nodeUuid: N[1], since: T0 - 80_000, lastSeen: T0 - 80_000 });
  });

  it('a failover: from the lost node to the new one, lost when the node was lost, running at the new claim', () => {
    const r = recordMoves(
      input({ state: runningOn2, nodes: lostEdge2, claims: [claim(WEB, 2, T0 - 80_000), claim(WEB, 3, T0 - 5000)] }),
    );
    expect(r.added).toEqual([
      {
        app: 'web',
        move: { fromNode: 'edge-2', toNode: 'edge-3', lostAt: T0 - 70_000, runningAt: T0 - 5000, reason: 'failover' },
      },
    ]);
    expect(r.state.moves.web).toHaveLength(1);
    expect(r.state.running?.web?.nodeUuid).toBe(N[2]);
  });

  it('the same reports seen again (a restart replaying them) add nothing and change nothing', () => {
    const i = input({
      state: runningOn2,
      nodes: lostEdge2,
      claims: [claim(WEB, 2, T0 - 80_000), claim(WEB, 3, T0 - 5000)],
    });
    const once = recordMoves(i);
    const twice = recordMoves({ ...i, state: once.state, now: T0 + 60_000 });
    expect(twice.added).toEqual([]);
    expect(twice.changed).toBe(false);
    expect(twice.state.moves.web).toHaveLength(1);
  });

  it('a manual move that took effect is recorded as manual', () => {
    const manual: WorkloadState = {
      ...runningOn2,
      apps: { ...runningOn2.apps, web: { nodeUuid: N[0], since: T0 - 60_000, reason: 'manual' } },
    };
    const r = recordMoves(input({ state: manual, claims: [claim(WEB, 2, T0 - 80_000), claim(WEB, 1, T0 - 1000)] }));
    expect(r.added[0]?.move).toMatchObject({
      fromNode: 'edge-2',
      toNode: 'edge-1',
      reason: 'manual',
      lostAt: T0 - 80_000,
    });
  });

  it('nothing is recorded while the app is only moving (no running claim from a live node)', () => {
    const r = recordMoves(input({ state: runningOn2, nodes: lostEdge2, claims: [claim(WEB, 2, T0 - 80_000)] }));
    expect(r).toMatchObject({ added: [], changed: false });
  });

  it('a newer claim from the same node only moves lastSeen forward', () => {
    const r = recordMoves(input({ state: runningOn2, claims: [claim(WEB, 2, T0 - 1000)] }));
    expect(r.added).toEqual([]);
    expect(r.state.running?.web).toEqual({ nodeUuid: N[1], since: T0 - 500_000, lastSeen: T0 - 1000 });
  });
});
