// The network-boot half of the appliance: the serving interface, DHCP (full or proxy, chosen by a survey),
// TFTP for the first iPXE binary and GRUB's grub.cfg, and the HTTP boot API. Events go into the appliance's log; DHCP sightings
// become NIC observations for cluster planning. Only started by `serve`; tests start it with loopback settings.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { probeDhcpServers } from './adapters/dhcp-probe.js';
import { type DhcpEvent, DhcpServer } from './adapters/dhcp-server.js';
import { sendRouterAdvertisement } from './adapters/dhcp-socket.js';
import { grubTftpFiles } from './adapters/grub-files.js';
import { probeHostNics } from './adapters/host-probe.js';
import { buildBootApi } from './adapters/http/boot-api.js';
import { onboardedBySerial, resolveBootConflict, setReinstall } from './adapters/http/boot-machine-routes.js';
import { IpMacTable } from './adapters/http/boot-progress.js';
import { bootSiteFrom, buildConfigImage } from './adapters/http/boot-site.js';
import { ImageStore } from './adapters/image-store.js';
import { SqliteBootStore } from './adapters/sqlite-boot-store.js';
import { SqliteLeaseStore } from './adapters/sqlite-lease-store.js';
import { systemRandom } from './adapters/system.js';
import { createTftpServer, type TftpEvent } from './adapters/tftp-server.js';
import type { Appliance } from './appliance.js';
import { clusterSpecs, type Site } from './config/site.js';
import { classifyGrubTftp } from './core/boot/grub-tftp.js';
import { softSerialOf } from './core/boot/identity.js';
import { EvebootError } from './core/errors.js';
import { observeIpxeReport } from './core/plan/observe.js';
import { chooseServingInterface, defaultPool } from './core/site/serving-interface.js';

export type DhcpMode = 'auto' | 'full' | 'proxy' | 'off';

export interface NetworkOptions {
  appliance: Appliance;
  site: Site;
  stateDir: string;
  logger: Logger;
  dhcp: DhcpMode;
  interface?: string;
  /** Directory with undionly.kpxe, snponly.efi, ipxe.efi (Debian's ipxe package: /usr/lib/ipxe). */
  ipxeDir: string;
  /** Loopback rehearsal: no interface survey, DHCP on high ports, replies to 127.0.0.1. */
  rehearsal: boolean;
}

export interface NetworkStatus {
  interface: string;
  address: string;
  /** address/len of the serving interface. */
  cidr: string;
  dhcp: { mode: 'full' | 'proxy' | 'off'; why: string };
  ports: { dhcp?: number; tftp: number; http: number };
  warnings: string[];
}

export interface Network {
  status: NetworkStatus;
  markReinstall(uuid: string): void;
  stop(): Promise<void>;
}

export async function startNetwork(o: NetworkOptions): Promise<Network> {
  const { appliance, site, logger } = o;
  const { listen } = site;
  const warnings: string[] = [];
  let iface = 'lo';
  let address = '127.0.0.1';
  let cidr = '127.0.0.1/8';
  let mac = '02:00:00:00:00:00';
  if (!o.rehearsal) {
    const choice = chooseServingInterface(await probeHostNics(), o.interface);
    if (choice.kind === 'error') throw new EvebootError('EVEBOOT_ERR_INTERFACE', choice.message);
    iface = choice.nic.name;
    address = choice.nic.ipv4[0]!.address;
    cidr = choice.nic.ipv4[0]!.cidr;
    mac = choice.nic.mac;
    appliance.emit({ type: 'network.interface', data: { interface: iface, address, why: choice.why } });
  }
  let mode: NetworkStatus['dhcp'] = { mode: 'off', why: '--dhcp off' };
  if (o.dhcp === 'full' || o.dhcp === 'proxy') mode = { mode: o.dhcp, why: `--dhcp ${o.dhcp}` };
  if (o.dhcp === 'auto' && o.rehearsal)
    mode = { mode: 'full', why: 'loopback rehearsal: nobody else serves DHCP here' };
  if (o.dhcp === 'auto' && !o.rehearsal) {
    // 5 s: dnsmasq (a common site server) pings an address for up to 3 s before it offers it.
    const survey = await probeDhcpServers({ interface: iface, mac, timeoutMs: 5000 });
    if (survey.warning) warnings.push(survey.warning);
    mode =
      survey.servers.length > 0
        ? {
            mode: 'proxy',
            why: `DHCP server ${survey.servers.map((s) => s.serverId).join(', ')} answered on ${iface}: proxyDHCP adds boot information only`,
          }
        : { mode: 'full', why: `no DHCP server answered on ${iface} within 5 s: eveboot serves addresses` };
  }

  const stationDb = new Database(join(o.stateDir, 'station.db'));
  stationDb.pragma('journal_mode = WAL');
  const bootStore = new SqliteBootStore(stationDb);
  const ipMacs = new IpMacTable();
  /** MAC → the address our DHCP server gave it (a report for that MAC from another IP is a second claimant). */
  const leases = new Map<string, string>();
  const emit = appliance.emit;
  const http = `${address}:${listen.httpPort}`;
  // serve resolved listen.advertise (site file, else the serving interface) before it started us.
  const controller = `${listen.advertise ?? address}:${listen.controllerPort}`;
  const nodes = clusterSpecs(site).flatMap((c) => c.nodes);
  const images = new ImageStore(join(o.stateDir, 'images'), (m) => warnings.push(m));
  const bootApi = buildBootApi({
    bootStore,
    images,
    httpServer: http,
    controller,
    site: () => bootSiteFrom({ nodes, boot: site.boot }),
    configImageFor: (ctx) =>
      buildConfigImage({
        controller,
        rootCaPem: appliance.pki.root.certPem,
        onboardCertPem: ctx.credential.certPem,
        onboardKeyPem: ctx.credential.keyPem,
        boot: site.boot,
      }),
    issueOnboarding: appliance.issueOnboarding,
    leaseOf: (m) => leases.get(m),
    leaseRequired: mode.mode === 'full',
    random: systemRandom,
    onboarded: onboardedBySerial(() => appliance.store.devices()),
    ipMacs,
    emit: (e) => {
      // iPXE's identity report lists every NIC with its link state: a sighting for the planner.
      if (e.type === 'boot.report') appliance.cluster.observe(observeIpxeReport(e.data.nics));
      emit(e);
    },
    clock: { now: () => Date.now() },
    logger,
  });
  appliance.hooks.onboardGrant = (m) => bootStore.machine(m)?.grant?.onboardCertHash;
  appliance.hooks.bootConflicts = () =>
    bootStore.machines().flatMap((m) => (m.conflict ? [{ mac: m.mac, conflict: m.conflict }] : []));
  appliance.hooks.resolveBootConflict = (mac, ip) => resolveBootConflict(bootStore, mac, ip);
  appliance.content.mount(bootApi); // workload images: HTTP datastore + read-only registry (issue #13)
  await bootApi.listen({ host: o.rehearsal ? '127.0.0.1' : listen.host, port: listen.httpPort });

  const tftp = createTftpServer({
    root: o.ipxeDir,
    address,
    port: listen.tftpPort,
    generate: grubTftpFiles({ images, bootStore, ipMacs, httpServer: http }),
    onEvent: (e: TftpEvent) => {
      if (e.stage === 'progress' && !e.done) return;
      // GRUB probes names it does without before it reads grub.cfg (core/boot/grub-tftp.ts): a miss is no failure.
      if (e.stage === 'refuse' && classifyGrubTftp(e.file).kind === 'probe') {
        return emit({ type: 'tftp.grub-probe', data: { client: e.client, file: e.file } });
      }
      emit({ type: 'tftp', data: { ...e } });
    },
    log: logger.child({ subsystem: 'tftp' }),
  });
  await tftp.listen();

  let dhcp: DhcpServer | undefined;
  let lastRa = 0;
  let raWarned = false;
  if (mode.mode !== 'off') {
    const pool = defaultPool(address, cidr);
    dhcp = new DhcpServer({
      config: {
        mode: mode.mode,
        serverIp: address,
        boot: {
          tftpServer: address,
          scriptBaseUrl: `http://${http}/boot/`,
          httpBootBaseUrl: `http://${http}/artifacts/`,
          files: { bios: 'undionly.kpxe', uefi: 'snponly.efi' },
        },
        pool:
          mode.mode === 'full'
            ? {
                start: o.rehearsal ? '127.0.100.10' : pool!.start,
                end: o.rehearsal ? '127.0.100.250' : pool!.end,
                subnetMask: o.rehearsal ? '255.0.0.0' : pool!.mask,
                leaseSeconds: 3600,
                pxeLeaseSeconds: 120,
              }
            : undefined,
      },
      interface: o.rehearsal ? undefined : iface,
      bindAddress: o.rehearsal ? '127.0.0.1' : '0.0.0.0',
      ports: {
        server: listen.dhcpPort,
        client: o.rehearsal ? listen.dhcpPort + 1 : 68,
        pxe: o.rehearsal ? false : 4011,
      },
      broadcastAddress: o.rehearsal ? '127.0.0.1' : undefined,
      leaseStore: new SqliteLeaseStore(stationDb),
      policy: (m) => {
        // A node listed by soft serial names its boot NIC too: the install passes eve_soft_serial=<MAC, hexhyp>.
        const listed = nodes.some((n) => n.mac === m || n.softSerial?.toLowerCase() === softSerialOf(m));
        if (listed) return { allowed: true, reason: 'MAC listed in the site file' };
        if (site.boot.unknownMachines === 'boot') return { allowed: true, reason: 'site boots unknown machines' };
        const anyMac = nodes.some((n) => n.mac);
        return anyMac
          ? { allowed: false, reason: 'MAC not in the site file (boot.unknownMachines: ignore)' }
          : { allowed: true, reason: 'the site lists nodes by serial only: the iPXE identity report decides' };
      },
      onEvent: (e: DhcpEvent) => {
        // A netboot client is configuring: advertise ourselves as an (non-default) IPv6 router so iPXE does not
        // wait ~13 s for IPv6 autoconfiguration on a site without one. At most one RA a second.
        if (e.type === 'dhcp' && !o.rehearsal && (e.ipxe || e.arch !== undefined) && Date.now() - lastRa > 1000) {
          lastRa = Date.now();
          const why = sendRouterAdvertisement(iface);
          if (why && !raWarned) {
            raWarned = true;
            emit({
              type: 'network.warning',
              data: { message: `${why}: iPXE may wait ~13 s for IPv6 autoconfiguration` },
            });
          }
        }
        if (e.type === 'dhcp') {
          if (e.yiaddr) {
            ipMacs.note(e.yiaddr, e.mac);
            leases.set(e.mac, e.yiaddr);
          }
          appliance.cluster.observe([{ source: 'dhcp', mac: e.mac, applianceIf: iface }]);
        }
        emit({ type: e.type, data: { ...e } });
      },
    });
    const info = await dhcp.start();
    warnings.push(...info.warnings);
  }
  for (const w of warnings) emit({ type: 'network.warning', data: { message: w } });
  const status: NetworkStatus = {
    interface: iface,
    address,
    cidr,
    dhcp: mode,
    ports: { dhcp: dhcp ? listen.dhcpPort : undefined, tftp: listen.tftpPort, http: listen.httpPort },
    warnings,
  };
  emit({ type: 'network.ready', data: { ...status } });
  return {
    status,
    markReinstall(uuid) {
      const d = appliance.store.deviceByUuid(uuid);
      const m = bootStore.machines().find((x) => d && x.identity.serial === d.serial);
      if (!m) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `${d?.serial ?? uuid} has not PXE-booted here`);
      setReinstall(bootStore, emit, m.mac, true);
    },
    async stop() {
      await dhcp?.stop();
      await tftp.close();
      await bootApi.close();
      stationDb.close();
    },
  };
}
