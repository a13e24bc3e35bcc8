// The workloads lines of `eveboot status`: per app designated → effective node, phase, state and download, then
// its moves with how long they took, a pending manual move, and why a required app is down; a cluster that is
// not Ready says so once.
import { describe, expect, it } from 'vitest';
import { renderWorkloads } from '../../src/cli/status-workloads.js';
import { failedOverSite } from '../fakes/workloads-view.js';

describe('eveboot status: workloads', () => {
  it('lists each app with its nodes, phase, state, download, moves and why', () => {
    const view = failedOverSite();
    view.move('site-a', 'vm', 'node-a');
    const text = renderWorkloads([view.views('site-a')!]).join('\n');
    const lines = text.split('\n');
    expect(lines[0]).toBe('workloads of site-a:');
    expect(lines.find((l) => l.includes(' web '))).toMatch(/^ {2}web +running +node-a → node-b +RUNNING +100%$/);
    expect(text).toContain('      moved node-a → node-b at 00:17:42 UTC in 62 s (failover)');
    expect(lines.find((l) => l.includes(' db '))).toMatch(/db +down-with-node +node-a → \(not running\) +RUNNING +42%/);
    expect(text).toContain('      node-a is lost and db has required affinity: EVE does not fail it over');
    expect(text).toContain('      move to node-a pending until the VM is next recreated: EVE does not restart');
    expect(text).toContain('  network lan: local on eth0; node-a ONLINE, node-b ONLINE, node-c ONLINE');
    expect(text).toContain('  volume db-data: not replicated, on node-a: CREATED_VOLUME');
  });

  it('says once that a cluster waits for Ready, and the reasons when it is held', () => {
    const view = failedOverSite();
    expect(renderWorkloads([view.views('late')!])[0]).toBe(
      'workloads of late: waiting for the cluster to be Ready (nothing is sent before that)',
    );
    const held = { ...view.views('site-a')!, held: ['workloads.apps[0].image: no image web imported'] };
    expect(renderWorkloads([held])[0]).toBe(
      'workloads of site-a: not sent: workloads.apps[0].image: no image web imported',
    );
  });

  it('prints nothing for a cluster without workloads', () => {
    expect(renderWorkloads([{ cluster: 'x', ready: true, held: [], apps: [], networks: [], volumes: [] }])).toEqual([]);
  });
});
