import { describe, expect, it } from 'vitest';
import { K3sScheduler, type SchedApp, type SchedNode } from '../../src/sim/k3s-scheduler.js';

const T = 1_800_000_000_000;
const app = (over: Partial<SchedApp> = {}): SchedApp => ({
  uuid: 'aaaaaaaa-0000-4000-8000-000000000001',
  name: 'web',
  dnidNode: 'edge-2',
  affinity: 'preferred',
  nohyper: false,
  ...over,
});
const nodes = (down: Record<string, number> = {}): SchedNode[] =>
  ['edge-1', 'edge-2', 'edge-3'].map((name) =>
    down[name] !== undefined ? { name, up: false, downSince: down[name] } : { name, up: true },
  );

type Step = { at: number; nodes: SchedNode[]; created?: boolean; moveTo?: string };
const cases: { name: string; apps: SchedApp[]; steps: Step[]; want: (string | undefined)[] }[] = [
  {
    name: 'nothing runs until the designated node has created the replica set',
    apps: [app()],
    steps: [{ at: T, nodes: nodes(), created: false }],
    want: [undefined],
  },
  {
    name: 'an app whose designated node is down at first deployment is never created (§4.1)',
    apps: [app()],
    steps: [{ at: T, nodes: nodes({ 'edge-2': T - 1 }) }],
    want: [undefined],
  },
  {
    name: 'created on the designated node',
    apps: [app()],
    steps: [{ at: T, nodes: nodes() }],
    want: ['edge-2'],
  },
  {
    name: 'preferred: still on the lost node 54 s after the loss, on the least loaded survivor at 55 s',
    apps: [app(), app({ uuid: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'other', dnidNode: 'edge-1' })],
    steps: [
      { at: T, nodes: nodes() },
      { at: T + 1000 + 54_000, nodes: nodes({ 'edge-2': T + 1000 }) },
      { at: T + 1000 + 55_000, nodes: nodes({ 'edge-2': T + 1000 }) },
    ],
    want: ['edge-3', 'edge-1'],
  },
  {
    name: 'preferred after a manual move: the replacement goes to the new designated node, not the least loaded',
    apps: [app(), app({ uuid: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'other', dnidNode: 'edge-1' })],
    steps: [
      { at: T, nodes: nodes() },
      { at: T + 60_000, nodes: nodes({ 'edge-2': T }), moveTo: 'edge-1' },
    ],
    want: ['edge-1', 'edge-1'],
  },
  {
    name: 'required: Pending after eviction, back on its node when the node returns',
    apps: [app({ affinity: 'required' })],
    steps: [
      { at: T, nodes: nodes() },
      { at: T + 60_000, nodes: nodes({ 'edge-2': T }) },
      { at: T + 120_000, nodes: nodes() },
    ],
    want: ['edge-2'],
  },
];

describe('the K3s stand-in schedules app replicas as EVE-k does', () => {
  for (const c of cases) {
    it(c.name, () => {
      const s = new K3sScheduler(55_000, () => 'abcde');
      let apps = c.apps;
      for (const step of c.steps) {
        // A manual move changes the first app's designated node in every node's config.
        if (step.moveTo) apps = [{ ...apps[0]!, dnidNode: step.moveTo }, ...apps.slice(1)];
        s.tick(apps, step.nodes, step.at, () => step.created ?? true);
      }
      expect(apps.map((a) => s.runningOn(a.uuid))).toEqual(c.want);
    });
  }

  it('required stays Pending with no node while its node is away, and the leader reports it so', () => {
    const s = new K3sScheduler(55_000, () => 'abcde');
    const a = app({ affinity: 'required', name: 'db_vm' });
    s.tick([a], nodes(), T, () => true);
    s.tick([a], nodes({ 'edge-2': T }), T + 60_000, () => true);
    expect(s.runningOn(a.uuid)).toBeUndefined();
    expect(s.exists(a.uuid)).toBe(true);
    expect(s.report().vmis).toEqual([
      { name: 'db-vm-aaaaa-0-abcde', nodeName: '', running: false, createdAt: T, changedAt: T + 60_000 },
    ]);
  });

  it('a NOHYPER app is a pod in eve_apps, not a VMI', () => {
    const s = new K3sScheduler(55_000, () => 'abcde');
    s.tick([app({ nohyper: true })], nodes(), T, () => true);
    expect(s.report()).toEqual({
      pods: [{ name: 'web-aaaaa-0-abcde', nodeName: 'edge-2', running: true, createdAt: T }],
      vmis: [],
    });
  });
});
