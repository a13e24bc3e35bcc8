// Faults: `kill -9` of the appliance at each stage of a bring-up (after onboarding, after planning, after the
// configs went out, after the seed initialised), each followed by a restart on the same state: the plan, token and
// seed never change, and the cluster still reaches ready. The simulated nodes run in their own process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Child, eveboot } from '../support/process.js';

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

function durable() {
  const db = new Database(join(state, 'eveboot.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT doc FROM clusters').get() as { doc: string } | undefined;
    const c = row ? (JSON.parse(row.doc) as { id: string; tokenCiphertext: string; plan: string }) : undefined;
    const plan = c?.plan
      ? (JSON.parse(c.plan) as { seedUuid: string; nodes: { uuid: string; ip: string }[] })
      : undefined;
    return {
      id: c?.id,
      token: c?.tokenCiphertext,
      seed: plan?.seedUuid,
      ips: plan?.nodes.map((n) => `${n.uuid}=${n.ip}`).sort(),
    };
  } finally {
    db.close();
  }
}

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

  it('keeps plan, token and seed, and the cluster still reaches ready', async () => {
    appliance = serve();
    await appliance.waitFor(/"type":"cluster\.created"|"cluster\.created"/, 30_000).catch(() => undefined);
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
    const stages = [
      /"type":"eve\.registered"/,
      /"type":"cluster\.planned"/,
      /"type":"eve\.config\.delivered".*"cluster":true/,
      /"seedInitialised":true/,
    ];
    let first: ReturnType<typeof durable> | undefined;
    for (const stage of stages) {
      await appliance.waitFor(stage, 60_000);
      appliance.proc.kill('SIGKILL');
      await appliance.exited;
      const now = durable();
      if (now.seed) {
        first ??= now;
        expect(now).toEqual(first);
      }
      appliance = serve();
    }
    await appliance.waitFor(/"type":"batch\.done","ok":true/, 90_000);
    expect(durable()).toEqual(first);
  }, 240_000);
});
