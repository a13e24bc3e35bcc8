// Before network boot starts: which interface serves the site network (the host probe chooses and says why) and
// whether our DHCP serves addresses (full) or only boot information next to a site server (proxy), from a
// survey of that interface. A loopback rehearsal skips both.
import type { Site } from '../config/site.js';
import { EvebootError } from '../core/errors.js';
import { chooseServingInterface } from '../core/site/serving-interface.js';
import type { NetworkStatus } from '../ports/events.js';
import { probeDhcpServers } from './dhcp-probe.js';
import { probeHostNics } from './host-probe.js';

export type DhcpMode = 'auto' | 'full' | 'proxy' | 'off';

export interface NetbootOptions {
  dhcp: DhcpMode;
  /** The NIC on the site network (default: chosen by the host probe). */
  interface?: string;
  /** Directory with undionly.kpxe, snponly.efi, ipxe.efi (Debian's ipxe package: /usr/lib/ipxe). */
  ipxeDir: string;
  /** Loopback rehearsal: no interface survey, DHCP on high ports, replies to 127.0.0.1. */
  rehearsal: boolean;
}

export interface NetworkSurvey {
  /** `status.warnings` grows while the servers start. */
  status: NetworkStatus;
  mac: string;
  /** Why the host probe chose this interface (none in a rehearsal). */
  chosenBecause?: string;
}

/** The serving interface (and its MAC) and the DHCP mode. */
export async function surveyNetwork(o: NetbootOptions, listen: Site['listen']): Promise<NetworkSurvey> {
  const nic = { interface: 'lo', address: '127.0.0.1', cidr: '127.0.0.1/8', mac: '02:00:00:00:00:00' };
  let chosenBecause: string | undefined;
  if (!o.rehearsal) {
    const choice = chooseServingInterface(await probeHostNics(), o.interface);
    if (choice.kind === 'error') throw new EvebootError('EVEBOOT_ERR_INTERFACE', choice.message);
    const v4 = choice.nic.ipv4[0]!;
    Object.assign(nic, { interface: choice.nic.name, address: v4.address, cidr: v4.cidr, mac: choice.nic.mac });
    chosenBecause = choice.why;
  }
  const warnings: string[] = [];
  const dhcp = await dhcpMode(o, nic, warnings);
  const ports = {
    dhcp: dhcp.mode === 'off' ? undefined : listen.dhcpPort,
    tftp: listen.tftpPort,
    http: listen.httpPort,
  };
  const { mac, ...where } = nic;
  return { status: { ...where, dhcp, ports, warnings }, mac, chosenBecause };
}

async function dhcpMode(
  o: NetbootOptions,
  nic: { interface: string; mac: string },
  warnings: string[],
): Promise<NetworkStatus['dhcp']> {
  if (o.dhcp === 'full' || o.dhcp === 'proxy' || o.dhcp === 'off') return { mode: o.dhcp, why: `--dhcp ${o.dhcp}` };
  if (o.rehearsal) return { mode: 'full', why: 'loopback rehearsal: nobody else serves DHCP here' };
  // 5 s: dnsmasq (a common site server) pings an address for up to 3 s before it offers it.
  const survey = await probeDhcpServers({ interface: nic.interface, mac: nic.mac, timeoutMs: 5000 });
  if (survey.warning) warnings.push(survey.warning);
  return survey.servers.length > 0
    ? {
        mode: 'proxy',
        why: `DHCP server ${survey.servers.map((s) => s.serverId).join(', ')} answered on ${nic.interface}: proxyDHCP adds boot information only`,
      }
    : { mode: 'full', why: `no DHCP server answered on ${nic.interface} within 5 s: eveboot serves addresses` };
}
