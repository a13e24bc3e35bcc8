// eveboot serve: the appliance. Controller API (HTTPS) for the nodes, operator API + UI for people. State in
// --state DIR survives kill -9: a restart resumes with the same PKI, token, device UUIDs and plan.
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { probeHostNics } from '../adapters/host-probe.js';
import { type AddressMap, directRoute } from '../adapters/k3s-probe.js';
import { createLogger } from '../adapters/logger.js';
import type { DhcpMode, NetbootOptions } from '../adapters/network-survey.js';
import { type Appliance, compose } from '../compose.js';
import { clusterSpecs, DEMO_SITE_YAML, loadSite, parseSite, type Site, SiteError } from '../config/site.js';
import { EvebootError } from '../core/errors.js';
import { parseIpv4, parsePrefix, prefixContains } from '../core/plan/ipv4.js';
import { isLoopbackHost, resolveAdvertise } from '../core/site/advertise.js';
import { chooseServingInterface } from '../core/site/serving-interface.js';
import { combinedRoute, rehearsalMaps } from '../sim/site-fleet.js';
import { parse, UsageError } from './args.js';

export const SERVE_USAGE = `usage: eveboot serve [--state DIR] [--site FILE] [--headless] [--ui-public] [--log-level LEVEL]
  --state DIR     state directory (default ./eveboot-state)
  --state-url URL postgresql://… to share state between factory stations (default SQLite in --state;
                  also EVEBOOT_STATE_URL)
  --site FILE     site file, YAML or JSON (default: the embedded demo site)
  --headless      one JSON object per line on stdout for every event, no banner; exits when every cluster is
                  ready (0) or any failed (1)
  --dhcp MODE     auto (default: proxy if another DHCP server answers, else full), full, proxy or off
  --interface IF  the NIC on the site network (default: chosen, and explained, by the host probe)
  --ipxe-dir DIR  first-stage iPXE binaries served over TFTP (default /usr/lib/ipxe, Debian's ipxe package)
  --no-netboot    EVE controller and UI only: no DHCP, TFTP or HTTP boot
  --rehearsal P   probe cluster IPs on the loopback ports of simulated nodes (eveboot sim --port-base P)
  --probe-cluster probe the nodes' cluster IPs directly (automatic when one of our addresses is inside a
                  cluster prefix; otherwise readiness rests on EVE's reports alone)
  --ui-public     listen for the UI and operator API on all interfaces instead of loopback, over HTTPS
                  with a cert from the appliance CA (fingerprint printed below)
  --station ID    station id written into every device record (default: the host name)
  --log-level LEVEL  pino level of the JSON log on stderr: trace, debug, info (default), warn, error`;

export const serveOptions = {
  state: { type: 'string' as const, default: 'eveboot-state' },
  'state-url': { type: 'string' as const },
  site: { type: 'string' as const },
  headless: { type: 'boolean' as const, default: false },
  'ui-public': { type: 'boolean' as const, default: false },
  'log-level': { type: 'string' as const, default: 'info' },
  rehearsal: { type: 'string' as const },
  'probe-cluster': { type: 'boolean' as const, default: false },
  dhcp: { type: 'string' as const, default: 'auto' },
  interface: { type: 'string' as const },
  'ipxe-dir': { type: 'string' as const, default: '/usr/lib/ipxe' },
  'no-netboot': { type: 'boolean' as const, default: false },
  station: { type: 'string' as const },
};

export interface Running {
  appliance: Appliance;
  site: Site;
  accessToken: string;
  uiUrl: string;
  controllerUrl: string;
  /** Headless: resolves with the exit code once every cluster is ready (0) or any is failed (1). */
  done: Promise<number>;
  stop(): Promise<void>;
}

export interface ServeExtras {
  /** The site, when the caller builds it (demo, rehearsal) instead of --site. */
  site?: Site;
  probeRoute?: AddressMap;
  watchIntervalMs?: number;
}

export async function serve(argv: string[], out: (s: string) => void, extras: ServeExtras = {}): Promise<Running> {
  const { values } = parse(argv, serveOptions, SERVE_USAGE);
  const given = extras.site ?? (values.site ? loadSite(values.site) : parseSite(DEMO_SITE_YAML, 'embedded demo site'));
  const { site, advertise, advertiseWhy, servingInterface } = await withAdvertise(
    given,
    values.interface,
    !values['no-netboot'],
  );
  const logger = createLogger({ level: values['log-level'] });
  const accessToken = site.ui.accessToken ?? randomBytes(24).toString('base64url');
  const { listen } = site;
  const netboot = values['no-netboot'] ? undefined : netbootOptions(values, servingInterface, listen, out);
  const appliance = await compose({
    stateDir: values.state,
    stateUrl: values['state-url'] ?? process.env.EVEBOOT_STATE_URL,
    site,
    logger,
    uiAccessToken: accessToken,
    uiHttps: values['ui-public'],
    probeRoute:
      extras.probeRoute ??
      (values.rehearsal
        ? combinedRoute(rehearsalMaps(clusterSpecs(site), Number(values.rehearsal)))
        : values['probe-cluster'] || onClusterNetwork(clusterSpecs(site).map((c) => c.prefix))
          ? directRoute
          : undefined),
    watchIntervalMs: extras.watchIntervalMs,
    station: values.station,
    netboot,
  });
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  if (values.headless) {
    appliance.events.on('event', (e) => out(JSON.stringify(e)));
    appliance.events.on('delta', (d) => {
      if (d.changed.length === 0) return;
      const clusters = appliance.hub.snapshot(Date.now()).clusters;
      if (clusters.every((c) => c.kind === 'ready' || c.kind === 'failed')) {
        const failed = clusters.filter((c) => c.kind === 'failed').map((c) => c.cluster);
        out(JSON.stringify({ type: 'batch.done', ok: failed.length === 0, clusters: clusters.length, failed }));
        finish(failed.length === 0 ? 0 : 1);
      }
    });
  }
  try {
    await appliance.controllerApi.listen({ host: listen.host, port: listen.controllerPort });
    await appliance.netboot?.start();
  } catch (e) {
    await appliance.close();
    throw e;
  }
  const uiHost = values['ui-public'] ? '0.0.0.0' : listen.uiHost;
  await appliance.operatorApi.listen({ host: uiHost, port: listen.uiPort });
  const scheme = values['ui-public'] ? 'https' : 'http';
  const uiUrl = `${scheme}://${uiHost === '0.0.0.0' ? advertise : uiHost}:${listen.uiPort}/?access_token=${accessToken}`;
  const controllerUrl = `https://${advertise}:${listen.controllerPort}/api/v2/edgedevice/`;
  if (!values.headless) {
    out(
      `eveboot serving site ${site.site.name} (${clusterSpecs(site)
        .map((c) => `cluster ${c.name}`)
        .join(', ')}), state in ${values.state}`,
    );
    out(`  EVE controller  ${controllerUrl}`);
    out(`  advertised as   ${advertise} (${advertiseWhy})`);
    out(`  root CA         SHA256 ${appliance.pki.root.cert.fingerprint256}`);
    out(`  UI              ${uiUrl}`);
    out(`  access token    ${accessToken}`);
    if (appliance.netboot) {
      const n = appliance.netboot.status;
      out(
        `  network boot    ${n.interface} ${n.address}: DHCP ${n.dhcp.mode} (${n.dhcp.why}), TFTP :${n.ports.tftp}, HTTP :${n.ports.http}`,
      );
      for (const w of n.warnings) out(`  warning         ${w}`);
    }
  }
  return {
    appliance,
    site,
    accessToken,
    uiUrl,
    controllerUrl,
    done,
    stop: () => appliance.close(),
  };
}

const isLoopback = isLoopbackHost;

/** --dhcp, --interface, --ipxe-dir as network-boot options; a site on loopback is a rehearsal. */
function netbootOptions(
  values: { dhcp: string; 'ipxe-dir': string },
  servingInterface: string | undefined,
  listen: Site['listen'],
  out: (s: string) => void,
): NetbootOptions {
  const mode = values.dhcp as DhcpMode;
  if (!['auto', 'full', 'proxy', 'off'].includes(mode))
    throw new UsageError(`--dhcp must be auto, full, proxy or off\n\n${SERVE_USAGE}`);
  const low = [listen.dhcpPort, listen.tftpPort, listen.httpPort].filter((p) => p < 1024);
  if (low.length > 0 && process.getuid?.() !== 0) {
    out(
      `note: ports ${low.join(', ')} need root or CAP_NET_BIND_SERVICE; run as root, or rehearse on high ports (eveboot demo)`,
    );
  }
  return { dhcp: mode, interface: servingInterface, ipxeDir: values['ipxe-dir'], rehearsal: isLoopback(listen.host) };
}

/**
 * The site with listen.advertise resolved: what the site file says, else the serving interface's address under
 * network boot. Refused (as an invalid site) when real nodes would get a loopback address.
 */
async function withAdvertise(site: Site, requested: string | undefined, netboot: boolean) {
  let nic: { name: string; address: string } | undefined;
  if (netboot && !isLoopback(site.listen.host)) {
    const choice = chooseServingInterface(await probeHostNics(), requested);
    if (choice.kind === 'error') throw new EvebootError('EVEBOOT_ERR_CONFIG', choice.message);
    nic = { name: choice.nic.name, address: choice.nic.ipv4[0]!.address };
  }
  const r = resolveAdvertise({ configured: site.listen.advertise, serving: nic, for: 'serve', host: site.listen.host });
  if (r.kind === 'error') throw new SiteError([`listen.advertise: ${r.message}`]);
  const resolved: Site = { ...site, listen: { ...site.listen, advertise: r.address } };
  return { site: resolved, advertise: r.address, advertiseWhy: r.why, servingInterface: nic?.name ?? requested };
}

/** Whether one of this host's IPv4 addresses lies inside a cluster prefix, so the cluster IPs are reachable. */
function onClusterNetwork(prefixes: string[]): boolean {
  const mine = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => parseIpv4(a!.address))
    .filter((a): a is number => a !== undefined);
  return prefixes.some((p) => {
    const prefix = parsePrefix(p);
    return prefix !== undefined && mine.some((ip) => prefixContains(prefix, ip));
  });
}
