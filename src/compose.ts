// The one composition root: every part of the appliance, built once, in the order the parts depend on each other.
// Read top to bottom:
//   network survey (serving interface, DHCP mode) → state dir: PKI, store, state key → progress hub + event log
//   (the one owner of events) → the boot side's machine records (station.db)
//   → cluster service, EVE controller → readiness and stall watchers → controller API, operator API
//   → boot API, TFTP, DHCP.
// Every part that has something to say emits into the event log; nothing is patched in after construction.
// Nothing listens here either: serve (and tests) call listen() on the APIs and start() on network boot.
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppStore } from './adapters/app-store.js';
import { loadAttestPolicy } from './adapters/attest-policy-file.js';
import { type BootMachines, bootMachines } from './adapters/boot-machines.js';
import { type LiveEvents, openEventLog } from './adapters/event-log.js';
import { buildControllerApi } from './adapters/http/controller-api.js';
import { buildOperatorApi } from './adapters/http/operator-api.js';
import { ImageStore } from './adapters/image-store.js';
import type { AddressMap } from './adapters/k3s-probe.js';
import { keySigner } from './adapters/key-signer.js';
import { kubeconfigAction } from './adapters/kubeconfig-action.js';
import { netbootServers } from './adapters/netboot-servers.js';
import { type NetbootOptions, surveyNetwork } from './adapters/network-survey.js';
import { type OnboardIssuer, onboardIssuer } from './adapters/onboard-issuer.js';
import { openStore } from './adapters/open-store.js';
import { loadOrCreatePki, type Pki } from './adapters/pki.js';
import { publishAfterCommit } from './adapters/publish-after-commit.js';
import { startReadinessWatcher, type Watcher } from './adapters/readiness-watcher.js';
import { openRecordLog } from './adapters/record-log.js';
import { openSecretBox } from './adapters/secret-box.js';
import { SqliteBootStore } from './adapters/sqlite-boot-store.js';
import { startStallWatcher } from './adapters/stall-watcher.js';
import { secureStateDir } from './adapters/state-dir.js';
import { systemClock, systemRandom } from './adapters/system.js';
import { openWorkloadContent, type WorkloadContent } from './adapters/workload-content.js';
import { startWorkloadWatcher } from './adapters/workload-watcher.js';
import { clusterSpecs, type Site, SiteError } from './config/site.js';
import { siteImageProblems } from './config/workloads-schema.js';
import { ClusterService } from './core/cluster/cluster-service.js';
import { EvebootError } from './core/errors.js';
import { controllerCerts } from './core/eve/certs.js';
import { Controller } from './core/eve/controller.js';
import { controllerCertHash, controllerSenderHash, sha256 } from './core/eve/hashes.js';
import { ProgressHub } from './core/progress/hub.js';
import { DEFAULT_SEED_TIMEOUT_MS } from './core/readiness/seed-watch.js';
import { isLoopbackHost } from './core/site/advertise.js';
import type { WorkloadsSpec } from './core/workloads/model.js';
import { operatorWorkloads } from './core/workloads/operator-port.js';
import { rememberWorkloadSpecs } from './core/workloads/remember-spec.js';
import type { Clock, Random } from './ports/clock.js';
import type { Emit, NetworkStatus } from './ports/events.js';
import type { Store } from './ports/store.js';

export interface ComposeOptions {
  stateDir: string;
  /** postgresql://… to share state between stations; default SQLite in stateDir. */
  stateUrl?: string;
  site: Site;
  logger: Logger;
  uiAccessToken: string;
  /** Serve the UI over HTTPS with the appliance's TLS cert (--ui-public); the cookie is then Secure. */
  uiHttps?: boolean;
  /** Operator or station id for device records (default: the host name). */
  station?: string;
  /** How readiness probes reach the cluster IPs; undefined: no route (readiness rests on EVE's reports). */
  probeRoute?: AddressMap;
  watchIntervalMs?: number;
  clock?: Clock;
  random?: Random;
  /** Network boot (DHCP, TFTP, HTTP boot); absent: EVE controller and UI only (serve --no-netboot, most tests). */
  netboot?: NetbootOptions;
  /** The boot side as the controller and operator see it, given by tests that drive a boot API of their own. */
  bootMachines?: BootMachines;
}

export interface Appliance {
  pki: Pki;
  store: Store;
  cluster: ClusterService;
  controllerApi: FastifyInstance;
  operatorApi: FastifyInstance;
  hub: ProgressHub;
  /** Where every part's events go (adapters/event-log.ts), and the live stream that comes out. */
  emit: Emit;
  events: LiveEvents;
  watcher: Watcher;
  /** Turns new stalls into progress.stalled events (on a timer; tick() for tests). */
  stalls: { tick(): void };
  /** Mints a per-machine (install) or per-medium onboarding credential from the root CA. */
  issueOnboarding: OnboardIssuer;
  /** Workload images (issue #13): catalog, datastore endpoints, bytes served per node, HTTP routes. */
  content: WorkloadContent;
  /** Network boot, when configured: what the survey found, and start() to open its sockets. */
  netboot?: { status: NetworkStatus; start(): Promise<void> };
  close(): Promise<void>;
}

export async function compose(opts: ComposeOptions): Promise<Appliance> {
  const { site, logger, stateDir } = opts;
  const specs = clusterSpecs(site);
  // Every image the workloads name must be imported before anything is served (issue #13).
  const missingImages = siteImageProblems(site, new AppStore(join(stateDir, 'apps')));
  if (missingImages.length > 0) throw new SiteError(missingImages);
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? systemRandom;
  const station = opts.station ?? hostname();

  // Network boot's survey first: the serving interface (its subnet is no cluster prefix) and the DHCP mode.
  const netboot = opts.netboot;
  const survey = netboot ? await surveyNetwork(netboot, site.listen) : undefined;
  const servingSubnets = survey && !isLoopbackHost(survey.status.address) ? [survey.status.cidr] : [];

  // State: PKI, the store (events leave only after their transaction), the key that seals secrets at rest.
  secureStateDir(stateDir);
  const pki = await loadOrCreatePki(join(stateDir, 'pki'), {
    site: site.site.name,
    sans: site.listen.advertise ? [site.listen.advertise] : [],
  });
  const { store, publish } = publishAfterCommit(openStore(opts.stateUrl ?? join(stateDir, 'eveboot.db')));
  const secrets = openSecretBox(join(stateDir, 'keys', 'state.key'));
  secureStateDir(stateDir);
  const attestPolicy = loadAttestPolicy(site);

  // Events: one log owns them; the hub folds them into node timelines and cluster states.
  const hub = new ProgressHub(
    clock.now(),
    specs.flatMap((c) =>
      c.nodes.map((n) => ({ serial: n.serial ?? n.softSerial, mac: n.mac, name: n.name, cluster: c.name })),
    ),
    specs.map((c) => c.name),
  );
  const records = openRecordLog(join(stateDir, 'records.jsonl'));
  const { emit, live: events } = openEventLog({ store, publish, hub, clock, logger, records, station });

  // The boot side's machine records (per station): what the controller and the operator ask of network boot.
  const stationDb = netboot ? new Database(join(stateDir, 'station.db')) : undefined;
  stationDb?.pragma('journal_mode = WAL');
  const bootStore = stationDb && new SqliteBootStore(stationDb);
  const boot = opts.bootMachines ?? (bootStore && bootMachines(bootStore, store, emit));

  // Workload images (issue #13): served from the HTTP boot server's port when network boot runs; the cluster
  // service puts them into the nodes' configs once the cluster is Ready.
  const content = openWorkloadContent({ stateDir, listen: site.listen, emit });

  // The cluster service plans and seals; the controller answers EVE. Both only emit.
  const certs = controllerCerts(pki.signing.certPem, pki.ecdh.certPem);
  const cluster = new ClusterService({
    images: () => content.catalog,
    imageEndpoints: () => content.endpoints(),
    store,
    random,
    clock,
    secrets,
    ecdhPrivate: new Uint8Array(Buffer.from(pki.ecdh.key.export({ format: 'jwk' }).d ?? '', 'base64url')),
    ecdhCertHash: controllerCertHash(pki.ecdh.certPem),
    certsHash: Buffer.from(sha256(certs)).toString('base64url'),
    // A device whose boot MAC is in a boot-side conflict gets nothing sealed either.
    held: (d) => (d.bootMac ? boot?.conflicts().find((c) => c.mac === d.bootMac)?.conflict.reason : undefined),
    settings: () => ({ specs, applianceSubnets: servingSubnets }),
    emit,
  });
  cluster.ensureAll();
  rememberWorkloadSpecs(store, specs);
  const controller = new Controller({
    store,
    clock,
    random,
    secrets,
    signer: keySigner(pki.signing.key, controllerSenderHash(pki.signing.certPem)),
    controllerCerts: certs,
    rootCaPem: pki.root.certPem,
    onboardGrant: (mac) => boot?.onboardGrant(mac),
    policy: () => ({
      mode: site.onboarding.policy,
      nodes: specs.flatMap((s) => s.nodes.map((n) => ({ ...n, cluster: s.name }))),
    }),
    attestPolicy: () => attestPolicy,
    defaultCluster: () => cluster.clusterForUnlisted(),
    emit,
  });

  // Watchers: readiness probes (k3s.*) and stalls (progress.stalled), each on its own timer.
  const intervalMs = opts.watchIntervalMs ?? 5000;
  const watcher = startReadinessWatcher({
    store,
    cluster,
    clock,
    emit,
    route: opts.probeRoute,
    intervalMs,
    seedTimeoutMs: (name) => {
      const seconds = cluster.spec(name)?.seedTimeoutSeconds;
      return seconds === undefined ? DEFAULT_SEED_TIMEOUT_MS : seconds * 1000;
    },
  });
  const stalls = startStallWatcher({ snapshot: (now) => hub.snapshot(now), clock, emit, intervalMs });
  // Workload views and move history, once a cluster's workloads went out (core/workloads, issue #13).
  const workloads = startWorkloadWatcher({
    store,
    clock,
    emit,
    // ClusterSpec.workloads (the site's, or per cluster in a manifest) once the site schema carries it.
    spec: (name) => (cluster.spec(name) as { workloads?: WorkloadsSpec } | undefined)?.workloads,
    nodes: (name) => cluster.plan(name)?.nodes.map((n) => ({ uuid: n.uuid, name: n.name })) ?? [],
    intervalMs,
  });

  // The APIs: EVE's controller API (HTTPS) and the operator API + UI.
  const controllerApi = buildControllerApi({
    controller,
    configFor: (d) => cluster.configFor(d),
    logger,
    https: { key: pki.tls.keyPem, cert: pki.tls.certPem },
  });
  const importedVersion = () => new ImageStore(join(stateDir, 'images')).list()[0]?.version;
  const noNetboot = () => new EvebootError('EVEBOOT_ERR_CONFLICT', 'network boot is not running on this appliance');
  const operatorApi = buildOperatorApi({
    markReinstall: boot && ((uuid) => boot.markReinstall(uuid)),
    siteInfo: () => (survey ? { network: survey.status, eveVersion: importedVersion() } : {}),
    conflicts: {
      audit: (entry) => records.audit(entry),
      boot: {
        conflicts: () => boot?.conflicts() ?? [],
        resolve: (mac, ip) => {
          if (!boot) throw noNetboot();
          return boot.resolve(mac, ip);
        },
      },
    },
    kubeconfig: kubeconfigAction({ cluster, watcher, route: opts.probeRoute, emit }),
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
  const issueOnboarding = onboardIssuer(pki.root, clock);

  // Network boot: the HTTP boot API, TFTP for iPXE and GRUB, DHCP; their events and sightings go to the same log.
  const servers =
    netboot && survey && stationDb && bootStore
      ? netbootServers({
          site,
          netboot,
          survey,
          stationDb,
          bootStore,
          images: new ImageStore(join(stateDir, 'images'), (m) => survey.status.warnings.push(m)),
          rootCaPem: pki.root.certPem,
          issueOnboarding,
          content,
          devices: () => store.devices(),
          observe: (obs) => cluster.observe(obs),
          emit,
          logger,
        })
      : undefined;

  return {
    pki,
    store,
    cluster,
    controllerApi,
    operatorApi,
    hub,
    emit,
    events,
    watcher,
    stalls,
    issueOnboarding,
    content,
    netboot: servers &&
      survey && {
        status: survey.status,
        start: () => servers.start(),
      },
    async close() {
      await servers?.stop();
      stationDb?.close();
      stalls.stop();
      workloads.stop();
      await watcher.stop();
      await controllerApi.close();
      await operatorApi.close();
      store.close();
    },
  };
}
