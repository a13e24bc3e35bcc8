// NIC inventory per node: every sighting of a NIC, merged by MAC. Sources disagree in what they know, so each field
// comes from the source that knows it best; a later observation from the same source replaces an earlier one.
import { isLinkLocal, parseIpv4, parsePrefix, prefixContains } from './ipv4.js';

export type NicSource = 'ipxe' | 'dhcp' | 'eve-port' | 'eve-hw' | 'sim';
export type NicType = 'ethernet' | 'wifi' | 'wwan' | 'vf' | 'unknown';

export interface NicObservation {
  source: NicSource;
  mac: string;
  ifname?: string;
  /** Logical label (DevicePort.name). */
  label?: string;
  up?: boolean;
  speedMbps?: number;
  ipv4?: string[];
  subnet?: string;
  isMgmt?: boolean;
  /** Appliance interface on which a DHCP packet from this MAC was seen. */
  applianceIf?: string;
  /** Simulator hint: the name of the L2 segment the NIC is plugged into. */
  segment?: string;
  pci?: string;
  type?: NicType;
}

export interface Nic {
  mac: string;
  ifname?: string;
  label?: string;
  up?: boolean;
  speedMbps?: number;
  ipv4: string[];
  subnet?: string;
  isMgmt: boolean;
  applianceIfs: string[];
  segment?: string;
  pci?: string;
  type: NicType;
  sources: NicSource[];
}

export interface NodeNics {
  uuid: string;
  serial: string;
  softSerial?: string;
  /** Wanted device name (site file or onboarding); normalised by planCluster. */
  name: string;
  nics: Nic[];
}

type Field = Exclude<keyof NicObservation, 'source' | 'mac' | 'applianceIf'>;

// Which source is trusted first for each field. EVE's own report is current; iPXE saw the NIC once, at boot.
// Link speed exists only in HardwareInventory (eve-api-facts §4.3).
const precedence: Record<Field, NicSource[]> = {
  ifname: ['eve-port', 'eve-hw', 'sim', 'ipxe'],
  label: ['eve-port', 'sim'],
  up: ['eve-port', 'sim', 'ipxe', 'dhcp'],
  speedMbps: ['eve-hw', 'sim', 'ipxe'],
  ipv4: ['eve-port', 'sim'],
  subnet: ['eve-port', 'sim'],
  isMgmt: ['eve-port', 'sim'],
  segment: ['sim'],
  pci: ['eve-hw', 'sim', 'ipxe'],
  type: ['eve-hw', 'sim'],
};

/** Lower-case, colon-separated MAC, or undefined for garbage and the all-zero address. */
export function normaliseMac(mac: string): string | undefined {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || /^0+$/.test(hex) || mac.replace(/[0-9a-fA-F:.-]/g, '') !== '') return undefined;
  return hex.match(/../g)!.join(':');
}

/** eth2 before eth10: natural order, so tie-breaks read the way an operator expects. */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function pick<F extends Field>(obs: NicObservation[], field: F): NicObservation[F] | undefined {
  for (const source of precedence[field]) {
    for (let i = obs.length - 1; i >= 0; i--) {
      const o = obs[i]!;
      if (o.source !== source) continue;
      // A DHCP packet from a MAC proves the link was up when it was sent.
      if (field === 'up' && source === 'dhcp') return true as NicObservation[F];
      if (o[field] !== undefined) return o[field];
    }
  }
  return undefined;
}

function mergeOne(mac: string, obs: NicObservation[]): Nic {
  const applianceIfs = [...new Set(obs.flatMap((o) => (o.applianceIf ? [o.applianceIf] : [])))].sort(compareNames);
  return {
    mac,
    ifname: pick(obs, 'ifname'),
    label: pick(obs, 'label'),
    up: pick(obs, 'up'),
    speedMbps: pick(obs, 'speedMbps'),
    ipv4: pick(obs, 'ipv4') ?? [],
    subnet: pick(obs, 'subnet'),
    isMgmt: pick(obs, 'isMgmt') ?? false,
    applianceIfs,
    segment: pick(obs, 'segment'),
    pci: pick(obs, 'pci'),
    type: pick(obs, 'type') ?? 'unknown',
    sources: [...new Set(obs.map((o) => o.source))].sort(),
  };
}

/** Observations in arrival order → one Nic per MAC, sorted by ifname then MAC. Unparseable MACs are dropped. */
export function mergeInventory(obs: NicObservation[]): Nic[] {
  const byMac = new Map<string, NicObservation[]>();
  for (const o of obs) {
    const mac = normaliseMac(o.mac);
    if (mac) byMac.set(mac, [...(byMac.get(mac) ?? []), o]);
  }
  return [...byMac].map(([mac, list]) => mergeOne(mac, list)).sort(compareNics);
}

export function compareNics(a: Nic, b: Nic): number {
  return compareNames(a.ifname ?? '~', b.ifname ?? '~') || compareNames(a.mac, b.mac);
}

// EVE's last-resort config skips these interface kinds (dpcmanager/lastresort.go, eve-api-facts §4.3).
const notEthernet = /^(vif|nbu|nbo|wlan|wwan|keth|lo$)/;

export function isEthernet(nic: Nic): boolean {
  if (nic.type === 'wifi' || nic.type === 'wwan' || nic.type === 'vf') return false;
  return nic.ifname !== undefined && !notEthernet.test(nic.ifname);
}

/**
 * The node reaches the controller over this port. Before our port model exists EVE's last-resort config marks every
 * Ethernet port as management (eve-api-facts §4.3), so a port counts only if it also got a routable IPv4 address.
 */
export function carriesManagement(nic: Nic): boolean {
  return (
    nic.isMgmt &&
    nic.ipv4.some((a) => {
      const n = parseIpv4(a);
      return n !== undefined && !isLinkLocal(n);
    })
  );
}

/**
 * Last-resort DHCP on every port (eve-api-facts §4.3) can make several ports look like management. When some of
 * them hold an address in the appliance's own subnets, only those are: the others lose isMgmt in this view.
 */
export function focusManagement(nics: Nic[], applianceSubnets: string[]): Nic[] {
  const subnets = applianceSubnets.flatMap((s) => parsePrefix(s) ?? []);
  const mgmt = nics.filter(carriesManagement);
  const reachesUs = (nic: Nic) => nic.ipv4.some((a) => subnets.some((p) => prefixContains(p, parseIpv4(a) ?? -1)));
  const inside = mgmt.filter(reachesUs);
  if (inside.length === 0 || inside.length === mgmt.length) return nics;
  return nics.map((n) => (carriesManagement(n) && !inside.includes(n) ? { ...n, isMgmt: false } : n));
}

/** Logical label the port has (or gets): EVE's label, else the ifname as in the last-resort config. */
export function labelOf(nic: Nic): string {
  return nic.label || nic.ifname || nic.mac;
}

/** How messages name a node: its device name, else its serial, else its UUID. */
export function displayName(n: NodeNics): string {
  return n.name || n.serial || n.uuid;
}

/** Node order everywhere in planning: serial (natural order), then UUID. */
export function byNodeOrder(a: NodeNics, b: NodeNics): number {
  return compareNames(a.serial, b.serial) || compareNames(a.uuid, b.uuid);
}
