// The workloads routes of the operator API through inject(), over the failed-over-site fake: the GET shape, a
// move accepted (202, pending, EVE's real behaviour explained) or refused (409 with the reason), the token and
// the same-origin rule in front of both, and every move asked for audited in the event log and the record log.
import Fastify, { type FastifyInstance } from 'fastify';
import { beforeEach, describe, expect, it } from 'vitest';
import { installAccessToken } from '../../src/adapters/http/access-token.js';
import { installErrorHandler } from '../../src/adapters/http/errors.js';
import { registerWorkloads, WAITING_FOR_READY } from '../../src/adapters/http/operator-workloads.js';
import type { ApplianceEvent } from '../../src/ports/events.js';
import { MOVE_EXPLANATION } from '../../src/ports/workloads-view.js';
import { failedOverSite } from '../fakes/workloads-view.js';

const TOKEN = 'test-access-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('operator API: workloads', () => {
  let app: FastifyInstance;
  let view: ReturnType<typeof failedOverSite>;
  let events: ApplianceEvent[];
  let audits: Record<string, unknown>[];
  const move = (cluster: string, name: string, body: unknown, headers: Record<string, string> = auth) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/clusters/${cluster}/apps/${name}/move`,
      headers,
      payload: body as object,
    });

  beforeEach(() => {
    view = failedOverSite();
    events = [];
    audits = [];
    app = Fastify() as unknown as FastifyInstance;
    installErrorHandler(app);
    installAccessToken(app, TOKEN);
    registerWorkloads(app, { workloads: view, emit: (e) => events.push(e), audit: (a) => audits.push(a) });
  });

  it('lists apps with designated and effective node, phase, state, download and moves with their duration', async () => {
    const res = await app.inject({ url: '/api/v1/clusters/site-a/workloads', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ cluster: 'site-a', ready: true, waiting: null });
    expect(body.apps.map((a: { name: string }) => a.name)).toEqual(['web', 'db', 'vm']);
    expect(body.apps[0]).toEqual({
      name: 'web',
      uuid: '11111111-1111-4111-8111-111111111111',
      kind: 'container',
      affinity: 'preferred',
      designatedNode: 'node-a',
      effectiveNode: 'node-b',
      phase: 'running',
      detail: null,
      state: 'RUNNING',
      downloadPercent: 100,
      pendingMove: null,
      moves: [
        {
          fromNode: 'node-a',
          toNode: 'node-b',
          lostAt: 1_000_000,
          runningAt: 1_062_000,
          reason: 'failover',
          tookMs: 62_000,
        },
      ],
    });
    expect(body.apps[1]).toMatchObject({ phase: 'down-with-node', effectiveNode: null, detail: /required affinity/ });
    expect(body.networks[0]).toMatchObject({ name: 'lan', kind: 'local', nodes: [{ state: 'ONLINE' }, {}, {}] });
    expect(body.volumes.map((v: { replicated: boolean }) => v.replicated)).toEqual([false, true]);
  });

  it('says the workloads wait for Ready on a cluster that is not Ready yet', async () => {
    const body = (await app.inject({ url: '/api/v1/clusters/late/workloads', headers: auth })).json();
    expect(body.ready).toBe(false);
    expect(body.waiting).toBe(WAITING_FOR_READY);
    expect(body.apps.every((a: { phase: string }) => a.phase === 'waiting')).toBe(true);
  });

  it('answers 404 for an unknown cluster or app', async () => {
    expect((await app.inject({ url: '/api/v1/clusters/nope/workloads', headers: auth })).statusCode).toBe(404);
    const res = await move('site-a', 'ghost', { node: 'node-b' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('cluster site-a has no app ghost');
    expect(audits).toEqual([]);
  });

  it('accepts a move as pending, explains what EVE really does, and audits it', async () => {
    const res = await move('site-a', 'vm', { node: 'node-a' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      cluster: 'site-a',
      app: 'vm',
      fromNode: 'node-c',
      toNode: 'node-a',
      pending: true,
      explanation: MOVE_EXPLANATION,
    });
    expect(MOVE_EXPLANATION).toContain('EVE does not restart a running VM for this');
    expect(view.accepted).toEqual([{ app: 'vm', toNode: 'node-a' }]);
    const data = { cluster: 'site-a', app: 'vm', fromNode: 'node-c', toNode: 'node-a', outcome: 'pending' };
    expect(events).toEqual([{ type: 'operator.move', data }]);
    expect(audits).toEqual([{ action: 'move-app', ...data }]);
    const after = (await app.inject({ url: '/api/v1/clusters/site-a/workloads', headers: auth })).json();
    expect(after.apps[2].pendingMove).toMatchObject({ toNode: 'node-a', explanation: MOVE_EXPLANATION });
  });

  it.each([
    { name: 'a volume that is not replicated', app: 'db', node: 'node-b', reason: 'volume db-data is not replicated' },
    { name: 'an unknown node', app: 'vm', node: 'node-z', reason: 'no node node-z in cluster site-a' },
  ])('refuses a move to $name with 409 and the reason, and audits the refusal', async ({ app: a, node, reason }) => {
    const res = await move('site-a', a, { node });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain(`EVEBOOT_ERR_CONFLICT: cannot move ${a} to ${node}: ${reason}`);
    expect(view.accepted).toEqual([]);
    expect(audits).toEqual([expect.objectContaining({ action: 'move-app', app: a, outcome: 'refused' })]);
    expect(String(audits[0]!.reason)).toContain(reason);
    expect(events[0]!.type).toBe('operator.move');
  });

  it('refuses a malformed body with the field and why', async () => {
    for (const body of [{}, { node: '' }, { node: 'node-b', extra: 1 }]) {
      const res = await move('site-a', 'vm', body);
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/^EVEBOOT_ERR_BAD_REQUEST: /);
    }
    expect(view.accepted).toEqual([]);
  });

  it('needs the access token, and a cookie-only move from another site is refused', async () => {
    expect((await app.inject({ url: '/api/v1/clusters/site-a/workloads' })).statusCode).toBe(403);
    expect((await move('site-a', 'vm', { node: 'node-a' }, {})).statusCode).toBe(403);
    const cookie = `eveboot_token=${TOKEN}`;
    const cross = await move('site-a', 'vm', { node: 'node-a' }, { cookie, 'sec-fetch-site': 'cross-site' });
    expect(cross.statusCode).toBe(403);
    const query = await app.inject({
      method: 'POST',
      url: `/api/v1/clusters/site-a/apps/vm/move?access_token=${TOKEN}`,
      payload: { node: 'node-a' },
    });
    expect(query.statusCode).toBe(403);
    expect(view.accepted).toEqual([]);
    const same = await move('site-a', 'vm', { node: 'node-a' }, { cookie, 'sec-fetch-site': 'same-origin' });
    expect(same.statusCode).toBe(202);
  });
});
