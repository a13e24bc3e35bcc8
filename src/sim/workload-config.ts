// Addresses a simulated node hands out on a local network instance, as zedrouter derives them from the NI's
// ipspec (eve-workloads-facts §2.5, parseIpspec): gateway defaults to subnet+1, the DHCP range starts at
// subnet+2; and the VIF MACs it generates for app interfaces.
import { createHash } from 'node:crypto';
import { formatIpv4, parseIpv4, parsePrefix } from '../core/plan/ipv4.js';

export interface NiAddresses {
  subnet: string;
  gateway: string;
  /** The k-th lease of the DHCP range. */
  lease(k: number): string;
}

export function niAddresses(subnet: string, gateway: string): NiAddresses | undefined {
  const p = parsePrefix(subnet);
  if (!p) return undefined;
  const base = p.base;
  const gw = gateway ? parseIpv4(gateway) : undefined;
  return {
    subnet,
    gateway: gw !== undefined ? formatIpv4(gw) : formatIpv4(base + 1),
    lease: (k) => formatIpv4(base + 2 + k),
  };
}

/** A locally administered MAC per app and NI (zedrouter generates VIF MACs; the exact scheme is EVE-internal). */
export function vifMac(appUuid: string, niIndex: number): string {
  const h = createHash('sha256').update(`${appUuid}/${niIndex}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
