// Faults: `kill -9` of the appliance at each stage of a bring-up (after onboarding, after planning, after the
// configs went out, after the seed initialised), each followed by a restart on the same state. The simulated nodes
// run in their own process and keep polling through every kill (the appliance dies under load). At every stage
// the state holds what that stage implies, and nothing decided earlier (cluster id, token hash, plan, device
// UUIDs, sealed blocks) is ever redone differently; the cluster still reaches ready.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DurableState, durableState, expectKept } from '../support/durable-state.js';
import { type Child, eveboot, waitListening } from '../support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'eveboot-kill-'));
const state = join(dir, 'state');
const base = 21000 + Math.floor(Math.random() * 300) * 10;
const site = join(dir, 'site.yaml');
writeFileSync(
  site,
  `site: { name: kill }
clusters:
  - { name: k1, prefix: 10.201.0.0/28, nodes: [{ serial: K-1 }, { serial: K-2 }, { serial: K-3 }] }
listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${base + 443}, uiPort: ${base + 88} }
`,
);

const serve = () =>
  eveboot([
    'serve',
    '--headless',
    '--no-netboot',
    '--state',
    state,
    '--site',
    site,
    '--rehearsal',
    String(base),
    '--log-level',
    'warn',
  ]);

describe('kill -9 at each stage, then restart', () => {
  let appliance: Child | undefined;
  let sim: Child | undefined;
  afterAll(() => {
    appliance?.proc.kill('SIGKILL');
    sim?.proc.kill('SIGKILL');
  });

  it('keeps token, plan, UUIDs and sealed blocks at every stage, and the cluster still reaches ready', async () => {
    appliance = serve();
    // Headless serve prints events only; cluster.created goes out before that, so wait for the listening port.
    await waitListening(base + 443);
    expect(Object.keys(durableState(state).clusters)).toEqual(['k1']);
    sim = eveboot([
      'sim',
      '--site',
      site,
      '--state',
      state,
      '--port-base',
      String(base),
      '--poll-ms',
      '500',
      '--quiet',
    ]);
    // Each stage: the event to kill at, and what the state must hold by then.
    const stages: { at: RegExp; holds: (d: DurableState) => void }[] = [
      {
        at: /"type":"eve\.registered"/,
        holds: (d) => {
          expect(Object.keys(d.clusters)).toEqual(['k1']);
          expect(Object.keys(d.uuids).length).toBeGreaterThanOrEqual(1);
        },
      },
      { at: /"type":"cluster\.planned"/, holds: (d) => expect(d.clusters.k1!.plan).not.toBe('') },
      {
        at: /"type":"eve\.config\.delivered".*"cluster":true/,
        holds: (d) => expect(Object.keys(d.sealed).length).toBeGreaterThanOrEqual(1),
      },
      { at: /"seedInitialised":true/, holds: (d) => expect(Object.keys(d.sealed)).toHaveLength(3) },
    ];
    let prev: DurableState | undefined;
    for (const [i, stage] of stages.entries()) {
      await appliance.waitFor(stage.at, 60_000);
      appliance.proc.kill('SIGKILL');
      await appliance.exited;
      const now = durableState(state);
      stage.holds(now);
      if (prev) expectKept(prev, now, `stage ${i + 1} (${stage.at.source})`);
      prev = now;
      appliance = serve();
    }
    await appliance.waitFor(/"type":"batch\.done","ok":true/, 90_000);
    const end = durableState(state);
    expectKept(prev!, end, 'after ready');
    expect(Object.keys(end.uuids).sort()).toEqual(['K-1', 'K-2', 'K-3']);
  }, 240_000);
});
