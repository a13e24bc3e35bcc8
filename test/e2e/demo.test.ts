// The demo site end to end: three simulated EVE nodes onboard, get their sealed token, run the K3s stand-in,
// and the readiness watcher observes the HA control plane (3 etcd members, all ready). And the failure stories.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Demo, demo } from '../../src/cli/demo.js';
import type { StoredEvent } from '../../src/ports/store.js';

async function run(
  args: string[],
  until: (e: StoredEvent, d: Demo) => boolean,
  timeoutMs = 90_000,
  terminal?: string[],
): Promise<{ d: Demo; events: StoredEvent[] }> {
  const base = 20000 + Math.floor(Math.random() * 400) * 100;
  const d = await demo(
    [
      '--state',
      mkdtempSync(join(tmpdir(), 'eveboot-demo-')),
      '--poll-ms',
      '500',
      '--port-base',
      String(base),
      ...(terminal ? [] : ['--headless']),
      ...args,
    ],
    (line: string) => terminal?.push(line),
  );
  const events: StoredEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `timeout; last events: ${events
              .slice(-5)
              .map((e) => e.type)
              .join(', ')}`,
          ),
        ),
      timeoutMs,
    );
    d.running.appliance.events.on('event', (recorded) => {
      // Read loosely, as a stored event: the stories pick payload fields by type name.
      const e = recorded as unknown as StoredEvent;
      events.push(e);
      if (until(e, d)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { d, events };
}

describe('eveboot demo', () => {
  it('three simulated nodes reach Ready: three etcd members, all ready, with observed evidence', async () => {
    const terminal: string[] = [];
    const { d } = await run([], (e) => e.type === 'k3s.readiness' && e.data.ready === true, 90_000, terminal);
    try {
      const snap = d.running.appliance.hub.snapshot(Date.now());
      expect(snap.clusters[0]!.state).toBe('ready');
      expect(snap.clusters[0]!.quorum).toBe('3/3');
      // What the installer sees in the terminal, not only in the UI.
      expect(terminal).toContain('[cluster demo-1] Ready: HA control plane, etcd quorum 3/3');
      expect(snap.clusters[0]!.evidence.join(' ')).toMatch(/3 etcd member/);
      expect(snap.nodes.filter((n) => n.phase === 'ready')).toHaveLength(3);
      expect(d.running.appliance.store.cluster('demo-1')!.state).toBe('ready');
      const report = (
        await d.running.appliance.operatorApi.inject({
          method: 'GET',
          url: '/api/v1/report',
          headers: { authorization: `Bearer ${d.running.accessToken}` },
        })
      ).json() as Record<string, unknown>[];
      expect(report).toHaveLength(3);
      for (const r of report) {
        // problem and planMissing are empty when all went well; every other field is filled in.
        for (const [k, v] of Object.entries(r)) if (k !== 'problem' && k !== 'planMissing') expect(v, k).not.toBe('');
        expect(r.planMissing).toBe('');
        expect(Object.values(r.timings as Record<string, unknown>).filter((v) => v === '')).toEqual([]);
        expect(r.via).toBe('pxe');
      }
    } finally {
      await d.stop();
    }
  });

  it('--fail node2: after Ready, losing one node is degraded with quorum held and names the node', async () => {
    let sawReady = false;
    const { d } = await run(['--fail', 'node2'], (e) => {
      if (e.type === 'k3s.readiness' && e.data.ready === true) sawReady = true;
      return sawReady && e.type === 'k3s.readiness' && e.data.ready === false && e.data.quorum === '2/3';
    });
    try {
      const snap = () => d.running.appliance.hub.snapshot(Date.now()).clusters[0]!;
      await expect.poll(() => snap().state).toBe('degraded');
      const c = snap();
      expect(c.label).toMatch(/edge-2/);
    } finally {
      await d.stop();
    }
  });

  it('--fail quorum: after Ready, two nodes down lose quorum and the cluster is failed, naming both', async () => {
    let sawReady = false;
    const { d } = await run(['--fail', 'quorum'], (e) => {
      if (e.type === 'k3s.readiness' && e.data.ready === true) sawReady = true;
      return sawReady && e.type === 'k3s.readiness' && e.data.quorum === '1/3';
    });
    try {
      const snap = () => d.running.appliance.hub.snapshot(Date.now()).clusters[0]!;
      await expect.poll(() => snap().state).toBe('failed');
      const c = snap();
      expect(c.label).toMatch(/quorum lost/);
      expect(c.down.join(' ')).toMatch(/edge-2/);
      expect(c.down.join(' ')).toMatch(/edge-3/);
    } finally {
      await d.stop();
    }
  });

  it('--fail seed: the seed goes silent during first boot, nothing is in cluster mode, so the next node becomes seed; the old seed joins it', async () => {
    const { d, events } = await run(
      ['--fail', 'seed'],
      (e) => e.type === 'k3s.readiness' && e.data.ready === true,
      150_000,
    );
    try {
      const moved = events.find((e) => e.type === 'k3s.seed.reassigned' && e.data.newSeed);
      expect(moved).toBeDefined();
      expect(String(moved!.data.reason)).toMatch(
        /edge-1 has sent nothing for 1\d s .* no node shows cluster-mode activity and no etcd member exists: edge-2 is the seed now/,
      );
      // The seed moved exactly once, and the silent seed was never held against the rule.
      expect(events.filter((e) => e.type === 'k3s.seed.reassigned')).toHaveLength(1);
      const plan = d.running.appliance.cluster.plan('demo-1')!;
      expect(plan.seedUuid).toBe(moved!.data.newSeed);
      expect(plan.joinServerIp).toBe(plan.nodes.find((n) => n.uuid === plan.seedUuid)!.ip);
    } finally {
      await d.stop();
    }
  }, 180_000);

  it('--fail cable: no common segment, planning stops with an error that says what to cable', async () => {
    const { d, events } = await run(
      ['--fail', 'cable'],
      (e) => e.type === 'cluster.plan.status' && String(e.data.status).startsWith('cannot'),
    );
    try {
      const status = String(
        events.find((e) => e.type === 'cluster.plan.status' && String(e.data.status).startsWith('cannot'))!.data.status,
      );
      expect(status).toMatch(/cable/i);
    } finally {
      await d.stop();
    }
  });
});
