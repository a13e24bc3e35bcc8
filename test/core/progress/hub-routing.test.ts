// The hub routes an event to a cluster by its typed `type` and the cluster its payload names: only the cluster
// events move a cluster's state machine, even when another event's payload names a cluster too.
import { describe, expect, it } from 'vitest';
import { clusterOf, ProgressHub } from '../../../src/core/progress/hub.js';
import type { ApplianceEvent, RecordedEvent } from '../../../src/ports/events.js';

const rec = (e: ApplianceEvent, id = 1): RecordedEvent => ({ ...e, id, at: 100 * id });
const devices: Record<string, string> = { 'u-1': 'from-device' };
const deviceCluster = (uuid: string) => devices[uuid];
const delivered = (clusterName: string | undefined): ApplianceEvent => ({
  type: 'eve.config.delivered',
  node: 'u-1',
  data: { hash: 'h', cluster: true, clusterName: clusterName as string, role: 'seed' },
});

describe('clusterOf', () => {
  const cases: { name: string; input: ApplianceEvent; want: string | undefined }[] = [
    {
      name: 'cluster.created names its cluster',
      input: { type: 'cluster.created', data: { id: 'i', name: 'a' } },
      want: 'a',
    },
    {
      name: 'a readiness evaluation names its cluster',
      input: { type: 'k3s.seed.reassigned', data: { cluster: 'b', seed: 'u-1', reason: 'silent' } },
      want: 'b',
    },
    { name: 'a delivered config names its cluster', input: delivered('c'), want: 'c' },
    {
      name: 'an event stored before the payload named it falls back to the device',
      input: delivered(undefined),
      want: 'from-device',
    },
    {
      name: 'a kubeconfig names a cluster but is no cluster event',
      input: {
        type: 'kubeconfig.issued',
        data: { cluster: 'd', server: 's', clientCertSha256: 'x', serverCaSha256: 'y', notAfter: 'z' },
      },
      want: undefined,
    },
    {
      name: 'an operator override is an audit record, routed nowhere',
      input: { type: 'operator.override', data: { cluster: 'e', by: 'operator' } },
      want: undefined,
    },
  ];
  for (const c of cases) it(c.name, () => expect(clusterOf(rec(c.input), deviceCluster)).toBe(c.want));
});

describe('ProgressHub.fold', () => {
  it('moves the cluster on cluster.plan.status, never on a non-cluster event of the same cluster', () => {
    const hub = new ProgressHub(0, [], ['one']);
    const cannot = 'cannot plan the cluster: prefix too small';
    // An audit record whose payload says "cannot": it must not fail the cluster.
    const audit = hub.fold(rec({ type: 'operator.override', data: { cluster: 'one', by: cannot } }), 'one', 1);
    expect(audit.changed).toEqual([]);
    const status = hub.fold(
      rec({ type: 'cluster.plan.status', data: { cluster: 'one', status: cannot } }, 2),
      'one',
      2,
    );
    expect(status.changed).toEqual([{ cluster: 'one', to: 'failed' }]);
  });
});
