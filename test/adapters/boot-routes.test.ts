// The boot server takes more route modules (deps.routes): a workload datastore or an OCI registry is added the way
// the boot routes are, with the same context and the same coded error answers.
import { describe, expect, it } from 'vitest';
import type { BootContext, BootRoutes } from '../../src/adapters/http/boot-api.js';
import { EvebootError } from '../../src/core/errors.js';
import { bootApiOnFakeBundle, MAC_A, reportQuery } from './boot-fixture.js';

describe('more route modules on the boot server (deps.routes)', () => {
  it('get the shared context and the one error handler, after the boot routes', async () => {
    // A module as a workload datastore would add it: one line per route, the answer from a function.
    const datastore: BootRoutes = (app, ctx) => {
      app.get<{ Params: { mac: string } }>('/datastore/:mac', (req) => seen(ctx, req.params.mac));
    };
    const seen = (ctx: BootContext, mac: string) => {
      const m = ctx.bootStore.machine(mac);
      if (!m) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no machine ${mac}`);
      return { mac: m.mac, base: ctx.base };
    };
    const b = await bootApiOnFakeBundle({ routes: [datastore] });
    try {
      const none = await b.app.inject({ url: `/datastore/${MAC_A}` });
      expect(none.statusCode).toBe(404);
      expect(none.body).toBe(`EVEBOOT_ERR_NOT_FOUND: no machine ${MAC_A}\n`);
      await b.app.inject({ url: `/boot/report?${reportQuery(MAC_A)}`, remoteAddress: '10.0.0.5' });
      const r = await b.app.inject({ url: `/datastore/${MAC_A}` });
      expect(r.json()).toEqual({ mac: MAC_A, base: 'http://10.99.0.1:8080' });
    } finally {
      await b.close();
    }
  });
});
