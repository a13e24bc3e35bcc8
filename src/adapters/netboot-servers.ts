// The network-boot servers as the site configures them: the HTTP boot API, TFTP (iPXE binaries and GRUB's files)
// and DHCP (full or proxy, its pool and ports); what a DHCP packet tells the rest of the appliance (leases for the
// boot API, NIC sightings for the planner); which TFTP events are worth recording. compose.ts builds them with
// their dependencies; nothing listens until start().
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { clusterSpecs, type Site } from '../config/site.js';
import { classifyGrubTftp } from '../core/boot/grub-tftp.js';
import { sitePolicy } from '../core/dhcp/site-policy.js';
import type { NicObservation } from '../core/plan/inventory.js';
import { observeIpxeReport } from '../core/plan/observe.js';
import { defaultPool } from '../core/site/serving-interface.js';
import type { BootStore } from '../ports/boot-store.js';
import type { DhcpEvent, Emit, NetworkStatus, TftpEvent } from '../ports/events.js';
import type { LeaseStore } from '../ports/lease-store.js';
import { dhcpApplianceEvent } from './dhcp-events.js';
import { DhcpServer } from './dhcp-server.js';
import { sendRouterAdvertisement } from './dhcp-socket.js';
import { grubTftpFiles } from './grub-files.js';
import { buildBootApi } from './http/boot-api.js';
import { onboardedBySerial } from './http/boot-machine-routes.js';
import { IpMacTable } from './http/boot-progress.js';
import { bootSiteFrom, buildConfigImage } from './http/boot-site.js';
import type { ImageStore } from './image-store.js';
import type { NetbootOptions, NetworkSurvey } from './network-survey.js';
import type { OnboardIssuer } from './onboard-issuer.js';
import { SqliteLeaseStore } from './sqlite-lease-store.js';
import { systemClock, systemRandom } from './system.js';
import { createTftpServer } from './tftp-server.js';
import type { WorkloadContent } from './workload-content.js';

export interface NetbootDeps {
  site: Site;
  netboot: NetbootOptions;
  survey: NetworkSurvey;
  /** The station's own database (machines, leases): station.db in the state directory. */
  stationDb: Database.Database;
  bootStore: BootStore;
  images: ImageStore;
  rootCaPem: string;
  issueOnboarding: OnboardIssuer;
  /** Workload images: their datastore and registry routes share the boot API's port. */
  content: WorkloadContent;
  /** Onboarded devices: an onboarded machine counts as installed. */
  devices: () => { serial: string; softSerial?: string }[];
  /** NIC sightings for the cluster planner. */
  observe: (obs: NicObservation[]) => void;
  emit: Emit;
  logger: Logger;
}

export interface NetbootServers {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Boot API, TFTP and DHCP share what DHCP learns: which IP has which MAC, and which lease each MAC got. */
export function netbootServers(d: NetbootDeps): NetbootServers {
  const { site, bootStore, images, emit } = d;
  const { status, chosenBecause } = d.survey;
  const { listen } = site;
  const http = `${status.address}:${listen.httpPort}`;
  const ipMacs = new IpMacTable();
  /** MAC → the address our DHCP server gave it (a report for that MAC from another IP is a second claimant). */
  const leases = new Map<string, string>();
  const bootApi = bootApiFor(d, http, ipMacs, leases);
  d.content.mount(bootApi); // workload images: HTTP datastore + read-only registry (issue #13)
  const tftp = createTftpServer({
    root: d.netboot.ipxeDir,
    address: status.address,
    port: listen.tftpPort,
    generate: grubTftpFiles({ images, bootStore, ipMacs, httpServer: http }),
    onEvent: tftpEvents(emit),
    log: d.logger.child({ subsystem: 'tftp' }),
  });
  const rehearsal = d.netboot.rehearsal;
  const dhcp = dhcpServerFor({
    site,
    status,
    rehearsal,
    leaseStore: new SqliteLeaseStore(d.stationDb),
    onEvent: dhcpSightings({
      iface: status.interface,
      rehearsal,
      ipMacs,
      leases,
      observe: d.observe,
      emit,
      now: () => Date.now(),
    }),
  });
  return {
    async start() {
      if (chosenBecause) {
        const { interface: iface, address } = status;
        emit({ type: 'network.interface', data: { interface: iface, address, why: chosenBecause } });
      }
      await bootApi.listen({ host: rehearsal ? '127.0.0.1' : listen.host, port: listen.httpPort });
      await tftp.listen();
      if (dhcp) status.warnings.push(...(await dhcp.start()).warnings);
      for (const message of status.warnings) emit({ type: 'network.warning', data: { message } });
      emit({ type: 'network.ready', data: { ...status } });
    },
    async stop() {
      await dhcp?.stop();
      await tftp.close();
      await bootApi.close();
    },
  };
}

/** The HTTP boot API: per-machine iPXE scripts and decisions, artifacts, and each install's own CONFIG. */
function bootApiFor(d: NetbootDeps, http: string, ipMacs: IpMacTable, leases: Map<string, string>) {
  const { site, survey } = d;
  const { listen } = site;
  // serve resolved listen.advertise (site file, else the serving interface) before it composed us.
  const controller = `${listen.advertise ?? survey.status.address}:${listen.controllerPort}`;
  const nodes = clusterSpecs(site).flatMap((c) => c.nodes);
  return buildBootApi({
    bootStore: d.bootStore,
    images: d.images,
    httpServer: http,
    controller,
    site: () => bootSiteFrom({ nodes, boot: site.boot }),
    configImageFor: (ctx) =>
      buildConfigImage({
        controller,
        rootCaPem: d.rootCaPem,
        onboardCertPem: ctx.credential.certPem,
        onboardKeyPem: ctx.credential.keyPem,
        boot: site.boot,
      }),
    issueOnboarding: d.issueOnboarding,
    leaseOf: (m) => leases.get(m),
    leaseRequired: survey.status.dhcp.mode === 'full',
    random: systemRandom,
    onboarded: onboardedBySerial(d.devices),
    ipMacs,
    emit: (e) => {
      // iPXE's identity report lists every NIC with its link state: a sighting for the planner.
      if (e.type === 'boot.report') d.observe(observeIpxeReport(e.data.nics));
      d.emit(e);
    },
    clock: systemClock,
    logger: d.logger,
  });
}

interface DhcpWiring {
  site: Site;
  status: NetworkStatus;
  rehearsal: boolean;
  leaseStore: LeaseStore;
  onEvent: (e: DhcpEvent) => void;
}

/** The DHCP server for the surveyed interface; a loopback rehearsal uses high ports and replies to 127.0.0.1. */
function dhcpServerFor(o: DhcpWiring): DhcpServer | undefined {
  const { status, rehearsal } = o;
  const mode = status.dhcp.mode;
  if (mode === 'off') return undefined;
  const { listen, boot } = o.site;
  const http = `${status.address}:${listen.httpPort}`;
  const pool = rehearsal
    ? { start: '127.0.100.10', end: '127.0.100.250', mask: '255.0.0.0' }
    : defaultPool(status.address, status.cidr);
  return new DhcpServer({
    config: {
      mode,
      serverIp: status.address,
      boot: {
        tftpServer: status.address,
        scriptBaseUrl: `http://${http}/boot/`,
        httpBootBaseUrl: `http://${http}/artifacts/`,
        files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
      },
      pool:
        mode === 'full'
          ? { start: pool!.start, end: pool!.end, subnetMask: pool!.mask, leaseSeconds: 3600, pxeLeaseSeconds: 120 }
          : undefined,
    },
    interface: rehearsal ? undefined : status.interface,
    bindAddress: rehearsal ? '127.0.0.1' : '0.0.0.0',
    ports: { server: listen.dhcpPort, client: rehearsal ? listen.dhcpPort + 1 : 68, pxe: rehearsal ? false : 4011 },
    broadcastAddress: rehearsal ? '127.0.0.1' : undefined,
    leaseStore: o.leaseStore,
    policy: sitePolicy(
      clusterSpecs(o.site).flatMap((c) => c.nodes),
      boot.unknownMachines,
    ),
    onEvent: o.onEvent,
  });
}

interface DhcpSightingDeps {
  iface: string;
  rehearsal: boolean;
  ipMacs: IpMacTable;
  leases: Map<string, string>;
  observe: (obs: NicObservation[]) => void;
  emit: Emit;
  now: () => number;
}

/** What each DHCP event tells the appliance, then the event itself into the log. */
function dhcpSightings(d: DhcpSightingDeps): (e: DhcpEvent) => void {
  let lastRa = 0;
  let raWarned = false;
  return (e) => {
    // A netboot client is configuring: advertise ourselves as an (non-default) IPv6 router so iPXE does not
    // wait ~13 s for IPv6 autoconfiguration on a site without one. At most one RA a second.
    if (e.type === 'dhcp' && !d.rehearsal && (e.ipxe || e.arch !== undefined) && d.now() - lastRa > 1000) {
      lastRa = d.now();
      const why = sendRouterAdvertisement(d.iface);
      if (why && !raWarned) {
        raWarned = true;
        d.emit({
          type: 'network.warning',
          data: { message: `${why}: iPXE may wait ~13 s for IPv6 autoconfiguration` },
        });
      }
    }
    if (e.type === 'dhcp') {
      if (e.yiaddr) {
        d.ipMacs.note(e.yiaddr, e.mac);
        d.leases.set(e.mac, e.yiaddr);
      }
      d.observe([{ source: 'dhcp', mac: e.mac, applianceIf: d.iface }]);
    }
    d.emit(dhcpApplianceEvent(e));
  };
}

/** TFTP events worth recording: starts, ends and refusals, not the progress in between. */
function tftpEvents(emit: Emit): (e: TftpEvent) => void {
  return (e) => {
    if (e.stage === 'progress' && !e.done) return;
    // GRUB probes names it does without before it reads grub.cfg (core/boot/grub-tftp.ts): a miss is no failure.
    if (e.stage === 'refuse' && classifyGrubTftp(e.file).kind === 'probe') {
      return emit({ type: 'tftp.grub-probe', data: { client: e.client, file: e.file } });
    }
    emit({ type: 'tftp', data: { ...e } });
  };
}
