// eveboot apps move against an operator API listening on loopback (the workloads routes over the
// failed-over-site fake): an accepted move prints EVE's real behaviour and exits 0, a refusal prints the reason
// and exits 1, the token comes from the environment or the site file, and a wrong token is refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAccessToken } from '../../src/adapters/http/access-token.js';
import { installErrorHandler } from '../../src/adapters/http/errors.js';
import { registerWorkloads } from '../../src/adapters/http/operator-workloads.js';
import { appsCommand } from '../../src/cli/apps.js';
import { UsageError } from '../../src/cli/args.js';
import { MOVE_EXPLANATION } from '../../src/ports/workloads-view.js';
import { failedOverSite } from '../fakes/workloads-view.js';

const TOKEN = 'test-access-token-0123456789';

describe('eveboot apps move', () => {
  let app: FastifyInstance;
  let url: string;
  let port: number;
  const view = failedOverSite();
  const audits: Record<string, unknown>[] = [];
  const run = async (argv: string[], env: NodeJS.ProcessEnv = { EVEBOOT_ACCESS_TOKEN: TOKEN }) => {
    const lines: string[] = [];
    const code = await appsCommand(argv, (s) => lines.push(s), env);
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    app = Fastify() as unknown as FastifyInstance;
    installErrorHandler(app);
    installAccessToken(app, TOKEN);
    registerWorkloads(app, { workloads: view, emit: () => {}, audit: (a) => audits.push(a) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => app?.close());

  it('prints the accepted move as pending with what EVE really does, and exits 0', async () => {
    const r = await run(['move', 'site-a', 'vm', 'node-b', '--url', url]);
    expect(r.code).toBe(0);
    expect(r.text).toBe(`vm (cluster site-a): move from node-c to node-b accepted, pending.\n  ${MOVE_EXPLANATION}`);
    expect(view.accepted).toContainEqual({ app: 'vm', toNode: 'node-b' });
    expect(audits.at(-1)).toMatchObject({ action: 'move-app', app: 'vm', outcome: 'pending' });
  });

  it('prints the refusal with its reason and exits 1', async () => {
    const r = await run(['move', 'site-a', 'db', 'node-b', '--url', url]);
    expect(r.code).toBe(1);
    expect(r.text).toBe(
      'db (cluster site-a): cannot move db to node-b: volume db-data is not replicated: it cannot follow db',
    );
  });

  it('takes the address and the token from the site file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eveboot-apps-'));
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      `site: { name: s }\ncluster: { name: site-a }\nnodes: [{ serial: A }, { serial: B }, { serial: C }]\n` +
        `listen: { uiHost: 127.0.0.1, uiPort: ${port} }\nui: { accessToken: ${TOKEN} }\n`,
    );
    const r = await run(['move', 'site-a', 'web', 'node-c', '--site', site], {});
    expect(r.code).toBe(0);
    expect(r.text).toContain('web (cluster site-a): move from node-a to node-c accepted, pending.');
  });

  it('a wrong token is refused by the appliance; no token at all is a usage error', async () => {
    const r = await run(['move', 'site-a', 'vm', 'node-a', '--url', url], {
      EVEBOOT_ACCESS_TOKEN: 'wrong-token-000000',
    });
    expect(r.code).toBe(1);
    expect(r.text).toContain('HTTP 403: missing or wrong access token');
    await expect(run(['move', 'site-a', 'vm', 'node-a', '--url', url], {})).rejects.toThrow(/no access token/);
    await expect(run(['move', 'site-a', 'vm'])).rejects.toBeInstanceOf(UsageError);
  });

  it('says when no appliance answers', async () => {
    const r = await run(['move', 'site-a', 'vm', 'node-a', '--url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^cannot reach the appliance at http:\/\/127\.0\.0\.1:1: .*is eveboot serve running\?/);
  });
});
