// Per-device workloads in the report: which apps run on a device and which are designated to it but run
// elsewhere, with their moves, and the CSV cell that sums them up.
import { describe, expect, it } from 'vitest';
import { deviceApps, deviceAppsCell } from '../../../src/core/report/device-apps.js';
import type { AppView } from '../../../src/core/workloads/model.js';

const web: AppView = {
  name: 'web',
  uuid: 'u1',
  kind: 'container',
  affinity: 'preferred',
  designatedNode: 'node-a',
  effectiveNode: 'node-b',
  phase: 'running',
  state: 'RUNNING',
  moves: [{ fromNode: 'node-a', toNode: 'node-b', lostAt: 1000, runningAt: 61_000, reason: 'failover' }],
};
const db: AppView = {
  name: 'db',
  uuid: 'u2',
  kind: 'vm',
  affinity: 'required',
  designatedNode: 'node-a',
  phase: 'down-with-node',
  moves: [],
};
const vm: AppView = {
  ...db,
  name: 'vm',
  designatedNode: 'node-c',
  effectiveNode: 'node-c',
  phase: 'running',
  state: 'RUNNING',
  pendingMove: { toNode: 'node-a', since: 5, explanation: 'x' },
};
const clusters = [{ cluster: 'site-a', apps: [web, db, vm] }];

describe('deviceApps', () => {
  it.each([
    {
      name: 'a node an app failed over to lists it as running here, with the move and how long it took',
      input: 'node-b',
      want: [
        {
          name: 'web',
          on: 'here',
          designatedNode: 'node-a',
          effectiveNode: 'node-b',
          moves: [expect.objectContaining({ fromNode: 'node-a', toNode: 'node-b', tookMs: 60_000 })],
        },
      ],
    },
    {
      name: 'the lost designated node lists both apps as designated there, none running',
      input: 'node-a',
      want: [
        { name: 'web', on: 'designated', effectiveNode: 'node-b' },
        { name: 'db', on: 'designated', effectiveNode: '', phase: 'down-with-node', state: '' },
      ],
    },
    {
      name: 'an app with a pending manual move stays listed where it runs, naming the pending node',
      input: 'node-c',
      want: [{ name: 'vm', on: 'here', pendingMoveTo: 'node-a' }],
    },
    { name: 'a device without a name matches nothing', input: '', want: [] },
  ])('$name', ({ input, want }) => {
    const got = deviceApps(input, clusters);
    expect(got).toHaveLength(want.length);
    for (const [i, w] of want.entries()) expect(got[i]).toMatchObject({ cluster: 'site-a', ...w });
  });

  it('sums the apps up in one CSV cell', () => {
    expect(deviceAppsCell(deviceApps('node-a', clusters))).toBe(
      'web@node-b running designated here (moved node-a→node-b); db down-with-node designated here',
    );
    expect(deviceAppsCell(deviceApps('node-c', clusters))).toBe('vm@node-c running (move to node-a pending)');
  });
});
