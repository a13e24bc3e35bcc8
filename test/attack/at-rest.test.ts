// At rest: the state dir is owner-only, the databases and keys 0600, even when an older install or a copy
// left them readable; nothing in the database is a live integrity token.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAppliance, type TestAppliance } from '../support/appliance.js';
import { simDevice } from '../support/sim-fleet.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('state at rest', () => {
  let t: TestAppliance;
  const stateDir = join(mkdtempSync(join(tmpdir(), 'eveboot-rest-')), 'state');
  beforeAll(async () => {
    // An old install: world-readable dir, database and record log.
    mkdirSync(stateDir, { mode: 0o755 });
    chmodSync(stateDir, 0o755);
    writeFileSync(join(stateDir, 'records.jsonl'), '', { mode: 0o644 });
    chmodSync(join(stateDir, 'records.jsonl'), 0o644);
    t = await startTestAppliance({ stateDir });
    const d = simDevice(t, 'SN-A');
    await d.onboard();
    await d.attest();
  });
  afterAll(async () => t?.stop());

  it('the state dir, pki and keys dirs are 0700', () => {
    expect(mode(stateDir)).toBe(0o700);
    expect(mode(join(stateDir, 'pki'))).toBe(0o700);
    expect(mode(join(stateDir, 'keys'))).toBe(0o700);
  });

  it('databases, the record log and every private key are 0600', () => {
    const files = ['eveboot.db', 'records.jsonl'].map((f) => join(stateDir, f));
    files.push(
      ...readdirSync(join(stateDir, 'pki'))
        .filter((f) => f.endsWith('.key.pem'))
        .map((f) => join(stateDir, 'pki', f)),
    );
    files.push(join(stateDir, 'keys', 'state.key'));
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) expect([f, mode(f).toString(8)]).toEqual([f, '600']);
  });
});
