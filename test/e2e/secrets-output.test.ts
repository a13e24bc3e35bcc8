// The join token and private keys never leave the appliance in clear, checked on the real processes across a
// full bring-up: everything `eveboot serve --headless` and `eveboot sim` print (stdout and stderr, debug log
// level), everything `eveboot demo` prints, every file of the state dir (record log, databases and their rows),
// and every operator API answer. It searches for the secrets' values, not for a field name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leaks, secretsOf, stateDirSources } from '../support/leak-scan.js';
import { type Child, eveboot, freePort, waitListening } from '../support/process.js';

const children: Child[] = [];
afterAll(() => {
  for (const c of children) c.proc.kill('SIGKILL');
});
const run = (args: string[]) => {
  const c = eveboot(args);
  children.push(c);
  return c;
};
const streams = (name: string, c: Child) => [
  { name: `${name} stdout`, text: c.stdout.join('\n') },
  { name: `${name} stderr`, text: c.stderr.join('') },
];
const API = [
  '/api/v1/site',
  '/api/v1/devices',
  '/api/v1/clusters',
  '/api/v1/events?limit=100000',
  '/api/v1/machines',
  '/api/v1/snapshot',
  '/api/v1/report',
  '/api/v1/report?format=csv',
  '/metrics',
];

describe('no secret in any output of the real processes', () => {
  it('serve --headless and sim through a bring-up to ready, then every API answer of serve', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eveboot-leak-'));
    const state = join(dir, 'state');
    const base = await freePort();
    const [controllerPort, uiPort] = [await freePort(), await freePort()];
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      `site: { name: leak }
clusters:
  - { name: l1, prefix: 10.202.0.0/28, nodes: [{ serial: L-1 }, { serial: L-2 }, { serial: L-3 }] }
listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${controllerPort}, uiPort: ${uiPort} }
ui: { accessToken: leak-test-access-token-0123456789 }
`,
    );
    const common = ['--no-netboot', '--state', state, '--site', site, '--log-level', 'debug'];
    const serve = run(['serve', '--headless', ...common, '--rehearsal', String(base)]);
    await waitListening(controllerPort);
    const sim = run(['sim', '--site', site, '--state', state, '--port-base', String(base), '--poll-ms', '300']);
    await serve.waitFor(/"type":"batch\.done","ok":true/, 90_000);
    expect(await serve.exited).toBe(0);
    sim.proc.kill('SIGTERM');
    await sim.exited;

    // The same state, served again: every operator API answer.
    const again = run(['serve', ...common]);
    await again.waitFor(/access token/, 30_000);
    const answers: { name: string; text: string }[] = [];
    const auth = { authorization: 'Bearer leak-test-access-token-0123456789' };
    const urls = [...API];
    const devices = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/devices`, { headers: auth })).json()) as {
      uuid: string;
    }[];
    expect(devices).toHaveLength(3);
    for (const d of devices) urls.push(`/api/v1/devices/${d.uuid}`);
    for (const url of urls) {
      const r = await fetch(`http://127.0.0.1:${uiPort}${url}`, { headers: auth });
      expect(r.status, url).toBe(200);
      answers.push({ name: `API ${url}`, text: await r.text() });
    }
    again.proc.kill('SIGTERM');
    await again.exited;

    const secrets = secretsOf(state);
    expect(secrets.map((s) => s.name)).toContain('join token of l1');
    const sources = [
      ...streams('serve --headless', serve),
      ...streams('sim', sim),
      ...streams('serve', again),
      ...answers,
      ...stateDirSources(state),
    ];
    // The scan looked at real output: the debug log of a whole bring-up, with the sealed token in it.
    expect(serve.stdout.join('\n')).toContain('cluster.token.sealed');
    expect(sources.find((s) => s.name === 'records.jsonl')).toBeDefined();
    expect(leaks(secrets, sources)).toEqual([]);
  }, 150_000);

  it('demo: everything it prints and every file it keeps', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'eveboot-leak-demo-')), 'state');
    const base = 20000 + (process.pid % 400) * 100;
    const demo = run([
      'demo',
      '--state',
      state,
      '--port-base',
      String(base),
      '--poll-ms',
      '300',
      '--log-level',
      'debug',
    ]);
    await demo.waitFor(/Ready: HA control plane/, 120_000);
    demo.proc.kill('SIGTERM');
    await demo.exited;
    const secrets = secretsOf(state);
    expect(secrets.map((s) => s.name)).toContain('join token of demo-1');
    expect(leaks(secrets, [...streams('demo', demo), ...stateDirSources(state)])).toEqual([]);
  }, 150_000);
});
