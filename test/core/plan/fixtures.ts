// Compact node descriptions for planner tables. Nodes are built from observations, as the appliance builds them.
import { mergeInventory, type NicObservation, type NodeNics } from '../../../src/core/plan/inventory.js';

export interface PortSpec {
  ifname: string;
  /** Carries management: EVE marks it isMgmt and it has a DHCP address in 192.168.1.0/24. */
  mgmt?: boolean;
  up?: boolean;
  speed?: number;
  segment?: string;
  dhcpOn?: string;
  subnet?: string;
  ipv4?: string[];
  mac?: string;
  type?: NicObservation['type'];
}

export const uuidOf = (n: number): string => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const CLUSTER_ID = '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b';

export function observations(n: number, ports: PortSpec[]): NicObservation[] {
  return ports.flatMap((p, i) => {
    const mac = p.mac ?? `02:00:00:00:0${n}:0${i}`;
    const obs: NicObservation[] = [
      {
        source: 'eve-port',
        mac,
        ifname: p.ifname,
        label: p.ifname,
        up: p.up ?? true,
        // Last-resort config: every Ethernet port is management; only some get an address (eve-api-facts §4.3).
        isMgmt: true,
        ipv4: p.ipv4 ?? (p.mgmt ? [`192.168.1.${10 + n}`] : []),
        subnet: p.subnet ?? (p.mgmt ? '192.168.1.0/24' : undefined),
      },
      { source: 'eve-hw', mac, ifname: p.ifname, speedMbps: p.speed, type: p.type ?? 'ethernet' },
    ];
    if (p.segment) obs.push({ source: 'sim', mac, segment: p.segment });
    if (p.dhcpOn) obs.push({ source: 'dhcp', mac, applianceIf: p.dhcpOn });
    return obs;
  });
}

export function node(n: number, ports: PortSpec[], name = `node-${n}`): NodeNics {
  return { uuid: uuidOf(n), serial: `SER${n}`, name, nics: mergeInventory(observations(n, ports)) };
}

/** Three nodes: eth0 management (1G, appliance sees DHCP on mgmt0), eth1 dedicated on "cluster" (10G). */
export function trio(extra: (n: number) => PortSpec[] = () => []): NodeNics[] {
  return [1, 2, 3].map((n) =>
    node(n, [
      { ifname: 'eth0', mgmt: true, speed: 1000, dhcpOn: 'mgmt0' },
      { ifname: 'eth1', speed: 10000, segment: 'cluster' },
      ...extra(n),
    ]),
  );
}
