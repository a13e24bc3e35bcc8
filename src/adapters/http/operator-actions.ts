// Operator actions, each audited in the event log: approve or reject an unknown machine, override the seed or
// cluster interfaces before configs go out (409 afterwards), and download the per-device report.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClusterService } from '../../core/cluster/cluster-service.js';
import { EvebootError } from '../../core/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Emit } from '../../ports/events.js';
import type { ClusterStore, DeviceStore, MachineDecision, MachineStore } from '../../ports/store.js';

export interface ActionDeps {
  store: DeviceStore & MachineStore & ClusterStore;
  cluster: ClusterService;
  clock: Clock;
  emit: Emit;
  /** Marks a machine for reinstall on its next PXE boot (boot store), when network boot runs. */
  markReinstall?: (uuid: string) => void;
  /** Mints an admin kubeconfig for a cluster (holds a private key: sent with no-store, never logged). */
  kubeconfig?: (cluster: string) => Promise<{ text: string }>;
}

const overrideBody = z
  .object({
    seed: z.string().min(1).max(256).optional(),
    interfaces: z.record(z.string().uuid(), z.string().min(1).max(64)).optional(),
  })
  .strict()
  .refine((o) => o.seed !== undefined || o.interfaces !== undefined, { message: 'give seed and/or interfaces' });

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  return r.data;
}

export function registerActions(app: FastifyInstance, deps: ActionDeps): void {
  const { store } = deps;
  const decide = (decision: MachineDecision) => async (req: { params: { key: string } }) => {
    const m = store.machine(req.params.key);
    if (!m) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no machine ${req.params.key} is waiting for a decision`);
    store.putMachine({ ...m, decision, reason: `${decision} by the operator` });
    deps.emit({
      type: decision === 'approved' ? 'operator.approve' : 'operator.reject',
      node: m.key,
      data: { serial: m.serial, softSerial: m.softSerial },
    });
    return { key: m.key, decision };
  };
  app.post<{ Params: { key: string } }>('/api/v1/machines/:key/approve', decide('approved'));
  app.post<{ Params: { key: string } }>('/api/v1/machines/:key/reject', decide('rejected'));

  app.put<{ Params: { name: string } }>('/api/v1/clusters/:name/overrides', async (req) => {
    const body = parseBody(overrideBody, req.body);
    deps.cluster.setOverrides(req.params.name, body, 'operator');
    return store.cluster(req.params.name)?.overrides ?? {};
  });

  app.post<{ Params: { uuid: string } }>('/api/v1/devices/:uuid/reinstall', async (req) => {
    const d = store.deviceByUuid(req.params.uuid);
    if (!d) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no device ${req.params.uuid}`);
    if (!deps.markReinstall)
      throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'network boot is not running on this appliance');
    deps.markReinstall(d.uuid);
    // The reinstalled node comes back with a new device cert: accept one, for this serial (register.ts).
    store.updateDevice(d.uuid, { acceptCert: '*' });
    deps.emit({ type: 'operator.reinstall', node: d.uuid, data: { serial: d.serial } });
    return { uuid: d.uuid, reinstall: true };
  });

  app.post<{ Params: { name: string } }>('/api/v1/clusters/:name/kubeconfig', async (req, reply) => {
    if (!deps.kubeconfig) throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'kubeconfigs are not offered here');
    if (!store.cluster(req.params.name))
      throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${req.params.name}`);
    const { text } = await deps.kubeconfig(req.params.name);
    return reply
      .header('Content-Type', 'application/yaml')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${req.params.name.replace(/[^\w.-]/g, '_')}.kubeconfig"`)
      .send(text);
  });
}
