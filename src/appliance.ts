// Builds the appliance from a state directory and a site: PKI, store, controller, cluster service and the
// HTTP apps. Nothing listens here: cli/serve.ts (via main.ts) calls listen, tests use inject() or listen on
// loopback themselves.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppStore } from './adapters/app-store.js';
import { buildControllerApi } from './adapters/http/controller-api.js';
import { buildOperatorApi } from './adapters/http/operator-api.js';
import type { AddressMap } from './adapters/k3s-probe.js';
import { keySigner } from './adapters/key-signer.js';
import { issueKubeconfig } from './adapters/kubeconfig-issuer.js';
import { type OnboardIssuer, onboardIssuer } from './adapters/onboard-issuer.js';
import { openStore } from './adapters/open-store.js';
import { loadOrCreatePki, type Pki } from './adapters/pki.js';
import { publishAfterCommit } from './adapters/publish-after-commit.js';
import { startReadinessWatcher, type Watcher } from './adapters/readiness-watcher.js';
import { openRecordLog } from './adapters/record-log.js';
import { openSecretBox } from './adapters/secret-box.js';
import { startStallWatcher } from './adapters/stall-watcher.js';
import { secureStateDir } from './adapters/state-dir.js';
import { systemClock, systemRandom } from './adapters/system.js';
import { openWorkloadContent, type WorkloadContent } from './adapters/workload-content.js';
import { startWorkloadWatcher } from './adapters/workload-watcher.js';
import { clusterSpecs, type Site, SiteError } from './config/site.js';
import { siteImageProblems } from './config/workloads-schema.js';
import type { Conflict } from './core/boot/claims.js';
import { ClusterService } from './core/cluster/cluster-service.js';
import { EvebootError } from './core/errors.js';
import type { AttestPolicy } from './core/eve/attest-policy.js';
import { controllerCerts } from './core/eve/certs.js';
import { Controller } from './core/eve/controller.js';
import { controllerCertHash, controllerSenderHash, sha256 } from './core/eve/hashes.js';
import { clusterOf, type HubDelta, ProgressHub } from './core/progress/hub.js';
import { DEFAULT_SEED_TIMEOUT_MS } from './core/readiness/seed-watch.js';
import { buildReports } from './core/report/build.js';
import type { WorkloadsSpec } from './core/workloads/model.js';
import { operatorWorkloads } from './core/workloads/operator-port.js';
import type { Clock, Random } from './ports/clock.js';
import type { Store, StoredEvent } from './ports/store.js';

/** Filled in by the network-boot half once it runs (serve), read by the operator API. */
export interface ApplianceHooks {
  markReinstall?: (uuid: string) => void;
  /** Onboarding cert hash of the latest install decision for a boot MAC (network boot). */
  onboardGrant?: (mac: string) => string | undefined;
  /** Boot-side conflicts (a MAC claimed from two IPs), and the operator's choice of IP. */
  bootConflicts?: () => { mac: string; conflict: Conflict }[];
  resolveBootConflict?: (mac: string, ip: string) => Conflict;
  siteInfo?: () => Record<string, unknown>;
  /** The serving interface's subnet, which a cluster prefix must not overlap. */
  applianceSubnets?: string[];
}

export type ApplianceEvents = EventEmitter<{ event: [StoredEvent]; delta: [HubDelta] }>;

export interface ApplianceOptions {
  stateDir: string;
  /** postgresql://… to share state between stations; default SQLite in stateDir. */
  stateUrl?: string;
  site: Site;
  logger: Logger;
  /** The appliance's own management subnets (CIDR), which the cluster prefix must not overlap. */
  applianceSubnets?: string[];
  /** Extra TLS SANs (serving IPs). */
  sans?: string[];
  clock?: Clock;
  random?: Random;
  uiAccessToken: string;
  /** Serve the UI over HTTPS with the appliance's TLS cert (--ui-public); the cookie is then Secure. */
  uiHttps?: boolean;
  /** Operator or station id for device records (default: the host name). */
  station?: string;
  /** How readiness probes reach the cluster IPs; undefined: no route (readiness rests on EVE's reports). */
  probeRoute?: AddressMap;
  watchIntervalMs?: number;
}

export interface Appliance {
  pki: Pki;
  store: Store;
  controller: Controller;
  cluster: ClusterService;
  controllerApi: FastifyInstance;
  operatorApi: FastifyInstance;
  events: ApplianceEvents;
  hub: ProgressHub;
  watcher: Watcher;
  /** Turns new stalls into progress.stalled events (on a timer; tick() for tests). */
  stalls: { tick(): void };
  hooks: ApplianceHooks;
  emit: (e: { type: string; node?: string; data: Record<string, unknown> }) => void;
  /** Mints a per-machine (install) or per-medium onboarding credential from the root CA. */
  issueOnboarding: OnboardIssuer;
  /** Workload images (issue #13): catalog, datastore endpoints, bytes served per node, HTTP routes. */
  content: WorkloadContent;
  close(): Promise<void>;
}

export async function createAppliance(opts: ApplianceOptions): Promise<Appliance> {
  const { site, logger } = opts;
  const specs = clusterSpecs(site);
  // Every image the workloads name must be imported before anything is served (issue #13).
  const missingImages = siteImageProblems(site, new AppStore(join(opts.stateDir, 'apps')));
  if (missingImages.length > 0) throw new SiteError(missingImages);
  secureStateDir(opts.stateDir);
  const pki = await loadOrCreatePki(join(opts.stateDir, 'pki'), {
    site: site.site.name,
    sans: [...(site.listen.advertise ? [site.listen.advertise] : []), ...(opts.sans ?? [])],
  });
  const { store, publish } = publishAfterCommit(openStore(opts.stateUrl ?? join(opts.stateDir, 'eveboot.db')));
  const secrets = openSecretBox(join(opts.stateDir, 'keys', 'state.key'));
  secureStateDir(opts.stateDir);
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? systemRandom;
  const events: ApplianceEvents = new EventEmitter();
  const log = logger.child({ subsystem: 'events' });
  const hub = new ProgressHub(
    clock.now(),
    specs.flatMap((c) =>
      c.nodes.map((n) => ({ serial: n.serial ?? n.softSerial, mac: n.mac, name: n.name, cluster: c.name })),
    ),
    specs.map((c) => c.name),
  );
  const deviceCluster = (uuid: string) => store.deviceByUuid(uuid)?.cluster || undefined;
  const fold = (stored: StoredEvent) => {
    const delta = hub.fold(stored, clusterOf(stored, deviceCluster), clock.now());
    for (const ch of delta.changed) {
      const c = store.cluster(ch.cluster);
      if (c && c.state !== ch.to) store.putCluster({ ...c, state: ch.to, updatedAt: clock.now() });
    }
    return delta;
  };
  for (let batch = store.events(0, 5000), last = 0; batch.length > 0; batch = store.events(last, 5000)) {
    for (const e of batch) fold(e);
    last = batch[batch.length - 1]!.id;
  }
  const station = opts.station ?? hostname();
  const records = openRecordLog(join(opts.stateDir, 'records.jsonl'));
  const lastPhase = new Map<string, string>();
  const recordResults = (delta: HubDelta) => {
    for (const n of delta.nodes) {
      const result = n.phase === 'ready' || n.phase === 'failed' ? n.phase : undefined;
      if (!result || !n.uuid || lastPhase.get(n.uuid) === result) continue;
      lastPhase.set(n.uuid, result);
      const report = buildReports(store, [n], station).find((r) => r.eveUuid === n.uuid);
      if (report) records.append(report);
    }
  };
  const emit = (e: { type: string; node?: string; data: Record<string, unknown> }) => {
    const stored = store.addEvent({ at: clock.now(), ...e });
    log.info({ type: e.type, node: e.node, ...e.data }, e.type);
    const delta = fold(stored);
    publish(() => {
      recordResults(delta);
      events.emit('event', stored);
      events.emit('delta', delta);
    });
  };
  const hooks: ApplianceHooks = {};
  const attestPolicy = loadAttestPolicy(site);
  const certs = controllerCerts(pki.signing.certPem, pki.ecdh.certPem);
  const controller = new Controller({
    store,
    clock,
    random,
    secrets,
    signer: keySigner(pki.signing.key, controllerSenderHash(pki.signing.certPem)),
    controllerCerts: certs,
    rootCaPem: pki.root.certPem,
    onboardGrant: (mac) => hooks.onboardGrant?.(mac),
    policy: () => ({
      mode: site.onboarding.policy,
      nodes: specs.flatMap((s) => s.nodes.map((n) => ({ ...n, cluster: s.name }))),
    }),
    attestPolicy: () => attestPolicy,
    defaultCluster: () => cluster.clusterForUnlisted(),
    emit,
  });
  const jwk = pki.ecdh.key.export({ format: 'jwk' });
  const content = openWorkloadContent({ stateDir: opts.stateDir, listen: site.listen, emit });
  const cluster = new ClusterService({
    store,
    random,
    clock,
    secrets,
    ecdhPrivate: new Uint8Array(Buffer.from(jwk.d ?? '', 'base64url')),
    ecdhCertHash: controllerCertHash(pki.ecdh.certPem),
    certsHash: Buffer.from(sha256(certs)).toString('base64url'),
    images: () => content.catalog,
    imageEndpoints: () => content.endpoints(),
    // A device whose boot MAC is in a boot-side conflict gets nothing sealed either.
    held: (d) => (d.bootMac ? hooks.bootConflicts?.().find((c) => c.mac === d.bootMac)?.conflict.reason : undefined),
    settings: () => ({
      specs,
      applianceSubnets: [...(opts.applianceSubnets ?? []), ...(hooks.applianceSubnets ?? [])],
    }),
    emit,
  });
  cluster.ensureAll();
  const watcher = startReadinessWatcher({
    store,
    cluster,
    clock,
    emit,
    route: opts.probeRoute,
    intervalMs: opts.watchIntervalMs ?? 5000,
    seedTimeoutMs: (name) => {
      const seconds = cluster.spec(name)?.seedTimeoutSeconds;
      return seconds === undefined ? DEFAULT_SEED_TIMEOUT_MS : seconds * 1000;
    },
  });
  // Workload views and move history, once a site's workloads went out (core/workloads, issue #13).
  const workloads = startWorkloadWatcher({
    store,
    clock,
    emit,
    // ClusterSpec.workloads (the site's, or per cluster in a manifest) once the site schema carries it.
    spec: (name) => (cluster.spec(name) as { workloads?: WorkloadsSpec } | undefined)?.workloads,
    nodes: (name) => cluster.plan(name)?.nodes.map((n) => ({ uuid: n.uuid, name: n.name })) ?? [],
    intervalMs: opts.watchIntervalMs ?? 5000,
  });
  const stalls = startStallWatcher({
    snapshot: (now) => hub.snapshot(now),
    clock,
    emit,
    intervalMs: opts.watchIntervalMs ?? 5000,
  });
  const controllerApi = buildControllerApi({
    controller,
    configFor: (d) => cluster.configFor(d),
    logger,
    https: { key: pki.tls.keyPem, cert: pki.tls.certPem },
  });
  const operatorApi = buildOperatorApi({
    markReinstall: (uuid) => {
      if (!hooks.markReinstall)
        throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'network boot is not running on this appliance');
      hooks.markReinstall(uuid);
    },
    siteInfo: () => hooks.siteInfo?.() ?? {},
    conflicts: {
      audit: (entry) => records.audit(entry),
      boot: {
        conflicts: () => hooks.bootConflicts?.() ?? [],
        resolve: (mac, ip) => {
          if (!hooks.resolveBootConflict)
            throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'network boot is not running on this appliance');
          return hooks.resolveBootConflict(mac, ip);
        },
      },
    },
    kubeconfig: async (name) => {
      const plan = cluster.plan(name);
      const seed = plan?.nodes.find((n) => n.uuid === plan.seedUuid);
      if (!plan || !seed) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `cluster ${name} has no plan yet`);
      if (!opts.probeRoute) {
        throw new EvebootError(
          'EVEBOOT_ERR_CLUSTER_UNREACHABLE',
          'this appliance has no route to the cluster IPs: serve on the cluster network or with --probe-cluster to make a kubeconfig',
        );
      }
      const issued = await issueKubeconfig({
        name,
        seedIp: seed.ip,
        token: cluster.openToken(name),
        route: opts.probeRoute,
        pinnedCaPem: watcher.pinnedCa(name),
      });
      const { clientCertSha256, serverCaSha256, notAfter, server } = issued;
      emit({ type: 'kubeconfig.issued', data: { cluster: name, server, clientCertSha256, serverCaSha256, notAfter } });
      return issued;
    },
    hub,
    store,
    pki,
    cluster,
    workloads: operatorWorkloads({ cluster, store, clock }),
    events,
    logger,
    accessToken: opts.uiAccessToken,
    https: opts.uiHttps ? { key: pki.tls.keyPem, cert: pki.tls.certPem } : undefined,
    station,
    clock,
    secrets,
    emit,
  });
  return {
    pki,
    store,
    controller,
    cluster,
    controllerApi,
    operatorApi,
    events,
    hub,
    emit,
    watcher,
    stalls,
    hooks,
    issueOnboarding: onboardIssuer(pki.root, clock),
    content,
    async close() {
      stalls.stop();
      workloads.stop();
      await watcher.stop();
      await controllerApi.close();
      await operatorApi.close();
      store.close();
    },
  };
}

/** onboarding.tpm and the vendor CA bundle (read once at start: a missing or empty bundle is a start error). */
function loadAttestPolicy(site: Site): AttestPolicy {
  const path = site.onboarding.tpmVendorCa;
  if (!path) return { tpm: site.onboarding.tpm, vendorCas: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EvebootError(
      'EVEBOOT_ERR_CONFIG',
      `onboarding.tpmVendorCa: cannot read ${path}: ${(e as Error).message}`,
    );
  }
  const vendorCas = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (vendorCas.length === 0)
    throw new EvebootError('EVEBOOT_ERR_CONFIG', `onboarding.tpmVendorCa: ${path} holds no PEM certificate`);
  return { tpm: site.onboarding.tpm, vendorCas };
}
