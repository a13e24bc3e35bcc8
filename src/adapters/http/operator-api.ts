// The operator API (JSON) that the UI and `eveboot status/report` use. Every request needs the access token
// (Authorization: Bearer …, or ?access_token=… for the browser's first load). Answers never contain the join
// token, private keys, integrity tokens or sealed blobs: views are built field by field, not by omission.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ClusterService } from '../../core/cluster/cluster-service.js';
import { nodeInventories } from '../../core/cluster/inventory-input.js';
import { EvebootError } from '../../core/errors.js';
import type { ClusterPlan } from '../../core/plan/cluster-plan.js';
import type { ProgressHub } from '../../core/progress/hub.js';
import { buildReports } from '../../core/report/build.js';
import { reportCsv } from '../../core/report/device-record.js';
import { countEvent, emptyCounters, renderMetrics } from '../../core/report/metrics.js';
import type { Clock } from '../../ports/clock.js';
import type { Emit } from '../../ports/events.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type {
  ClusterStore,
  DeviceRecord,
  DeviceStore,
  EventStore,
  MachineStore,
  NicObservationStore,
  ReportStore,
} from '../../ports/store.js';
import type { ClusterWorkloads, WorkloadsView } from '../../ports/workloads-view.js';
import type { LiveEvents } from '../event-log.js';
import { fingerprints, type Pki } from '../pki.js';
import { installAccessToken } from './access-token.js';
import { installErrorHandler } from './errors.js';
import { OPENAPI } from './openapi.js';
import { type ActionDeps, registerActions } from './operator-actions.js';
import { type ConflictDeps, registerConflicts } from './operator-conflicts.js';
import { registerEscrow } from './operator-escrow.js';
import { registerLive } from './operator-live.js';
import { registerWorkloads, workloadsAnswer } from './operator-workloads.js';
import { registerUi } from './ui-static.js';

export interface OperatorApiDeps {
  store: DeviceStore & MachineStore & ReportStore & EventStore & NicObservationStore & ClusterStore;
  pki: Pki;
  cluster: ClusterService;
  events: LiveEvents;
  hub: ProgressHub;
  logger: Logger;
  accessToken: string;
  /** Operator or station id written into every device record. */
  station: string;
  clock: Clock;
  /** Opens escrowed vault keys for the explicit export route. */
  secrets: SecretBox;
  emit: Emit;
  markReinstall?: (uuid: string) => void;
  /** TLS key and cert (from the appliance CA) when the UI listens beyond loopback (--ui-public). */
  https?: { key: string; cert: string };
  /** Conflict resolution: the audit sink and the boot side's conflicts (operator-conflicts.ts). */
  conflicts: Omit<ConflictDeps, 'store' | 'emit'>;
  /** Network status and imported EVE version for the UI header, once network boot runs. */
  siteInfo?: () => Record<string, unknown>;
  kubeconfig?: ActionDeps['kubeconfig'];
  /** Each cluster's workloads and the manual move (issue #13), once the workload side is wired. */
  workloads?: WorkloadsView;
}

export function deviceView(store: ReportStore, d: DeviceRecord) {
  return {
    uuid: d.uuid,
    serial: d.serial,
    softSerial: d.softSerial,
    name: d.name,
    onboardedAt: d.onboardedAt,
    deviceCertSha256: d.deviceCertHash,
    ecdhCertHash: d.ecdhCertHash ?? null,
    attestedAt: d.attestedAt ?? null,
    tokenSealed: d.sealed !== undefined,
    vaultKeyEscrowedAt: d.escrow?.at ?? null,
    configHash: d.lastConfigHash ?? null,
    configServedAt: d.configServedAt ?? null,
    conflict: d.hold ?? null,
    history: d.history ?? [],
    received: store.reportCounts(d.uuid),
  };
}

/** The URLs each operator app registered (for the test that checks the OpenAPI document covers them). */
export const routeLists = new WeakMap<FastifyInstance, string[]>();

export function buildOperatorApi(deps: OperatorApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ subsystem: 'operator-api' }, { level: 'warn' }),
    ...(deps.https ? { https: { ...deps.https, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance;
  const routes: string[] = [];
  app.addHook('onRoute', (r) => {
    routes.push(r.url);
  });
  routeLists.set(app, routes);
  installErrorHandler(app);
  installAccessToken(app, deps.accessToken, { secure: deps.https !== undefined });
  const { store } = deps;
  app.get('/api/v1/site', async () => ({ fingerprints: fingerprints(deps.pki), ...(deps.siteInfo?.() ?? {}) }));
  app.get('/api/v1/devices', async () => store.devices().map((d) => deviceView(store, d)));
  app.get<{ Params: { uuid: string } }>('/api/v1/devices/:uuid', async (req) => {
    const d = store.deviceByUuid(req.params.uuid);
    if (!d) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no device ${req.params.uuid}`);
    const reports = store
      .latestReports(d.uuid)
      .map((r) => ({ kind: r.kind, at: r.at, bytes: r.bytes, content: JSON.parse(r.json) }));
    // The merged NIC inventory: iPXE report, DHCP sightings, EVE ports and hardware inventory, by MAC.
    const inventory = nodeInventories(store, [d])[0]?.nics ?? [];
    return { ...deviceView(store, d), inventory, reports };
  });
  const clusterView = (name: string) => {
    const c = store.cluster(name);
    if (!c) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
    const devices = store.devices().filter((d) => d.cluster === name);
    return {
      id: c.id,
      name: c.name,
      state: c.state,
      planStatus: c.planStatus ?? null,
      plan: deps.cluster.plan(name) ?? null,
      tokenSealedFor: `${devices.filter((d) => d.sealed).length}/${Math.max(3, devices.length)}`,
      // SHA-256 of the join token (hex), never the token: lets a node's decrypted token be checked against it.
      tokenSha256: createHash('sha256').update(deps.cluster.openToken(name)).digest('hex'),
    };
  };
  app.get('/api/v1/clusters', async () => store.clusters().map((c) => clusterView(c.name)));
  app.get<{ Params: { name: string } }>('/api/v1/clusters/:name', async (req) => clusterView(req.params.name));
  app.get<{ Querystring: { since?: string } }>('/api/v1/events', async (req) =>
    store.events(Number(req.query.since ?? 0)),
  );
  app.get('/api/v1/machines', async () => store.machines());
  registerActions(app, {
    store,
    cluster: deps.cluster,
    clock: deps.clock,
    emit: deps.emit,
    markReinstall: deps.markReinstall,
    kubeconfig: deps.kubeconfig,
  });
  registerConflicts(app, { store, emit: deps.emit, ...deps.conflicts });
  registerEscrow(app, { store, secrets: deps.secrets, emit: deps.emit });
  const { workloads } = deps;
  if (workloads) registerWorkloads(app, { workloads, emit: deps.emit, audit: deps.conflicts.audit });
  // Node views from the event fold, plus each device's merged NIC inventory and its cluster port (with the why).
  const ports = (uuid: string | undefined) => {
    const d = uuid ? store.deviceByUuid(uuid) : undefined;
    if (!d) return undefined;
    // Read the stored plan only: planning is the config path's job, never a side effect of looking.
    const stored = store.cluster(d.cluster)?.plan;
    const planned = stored ? (JSON.parse(stored) as ClusterPlan).nodes.find((n) => n.uuid === d.uuid) : undefined;
    return (nodeInventories(store, [d])[0]?.nics ?? []).map((nic) => ({
      ifname: nic.ifname ?? nic.label ?? '',
      mac: nic.mac,
      up: nic.up,
      speedMbps: nic.speedMbps,
      ipv4: nic.ipv4,
      cluster: planned ? nic.mac === planned.mac : false,
      why: planned && nic.mac === planned.mac ? planned.why : undefined,
    }));
  };
  const decorate = <T extends { uuid?: string }>(nodes: T[]) => nodes.map((n) => ({ ...n, ports: ports(n.uuid) }));
  // Every live connection compares the workloads every 2 s: compute them at most once a second for all of them.
  let cached: { at: number; list: ClusterWorkloads[] } | undefined;
  const clusterWorkloads = () => {
    if (!workloads) return undefined;
    const now = deps.clock.now();
    if (!cached || now - cached.at >= 1000 || now < cached.at) {
      const list = store
        .clusters()
        .map((c) => workloads.views(c.name))
        .filter((w) => w !== undefined);
      cached = { at: now, list };
    }
    return cached.list;
  };
  // The live stream and the report carry only clusters that declare workloads (a factory line's others add nothing).
  const declaredWorkloads = () =>
    clusterWorkloads()?.filter((w) => w.apps.length + w.networks.length + w.volumes.length > 0);
  const liveWorkloads = () => (declaredWorkloads() ?? []).map(workloadsAnswer);
  registerLive(app, {
    events: deps.events,
    hub: deps.hub,
    clock: deps.clock,
    heartbeatMs: 15_000,
    decorate,
    ...(workloads ? { workloads: liveWorkloads } : {}),
  });
  registerUi(app);
  app.get('/api/v1/openapi.json', async () => OPENAPI);
  app.get('/api/v1/snapshot', async () => {
    const snap = deps.hub.snapshot(deps.clock.now());
    return { ...snap, nodes: decorate(snap.nodes) };
  });
  let counters = emptyCounters();
  for (let batch = store.events(0, 5000), last = 0; batch.length > 0; batch = store.events(last, 5000)) {
    for (const e of batch) counters = countEvent(counters, e);
    last = batch[batch.length - 1]!.id;
  }
  deps.events.on('event', (e) => {
    counters = countEvent(counters, e);
  });
  app.get('/metrics', async (_req, reply) =>
    reply
      .header('content-type', 'text/plain; version=0.0.4')
      .send(renderMetrics(deps.hub.snapshot(deps.clock.now()), counters)),
  );
  app.get<{ Querystring: { format?: string } }>('/api/v1/report', async (req, reply) => {
    const rows = buildReports(store, deps.hub.snapshot(deps.clock.now()).nodes, deps.station, declaredWorkloads());
    if (req.query.format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="eveboot-report.csv"')
        .send(reportCsv(rows));
    }
    if (req.query.format && req.query.format !== 'json') {
      throw new EvebootError('EVEBOOT_ERR_BAD_REQUEST', 'format must be json or csv');
    }
    return rows;
  });
  return app;
}
