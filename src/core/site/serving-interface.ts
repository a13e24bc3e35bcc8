// Which of the appliance's NICs serves the site: the one the operator named, or the only sensible one:
// up, with IPv4, not loopback, not virtual. Every choice says why, in words an installer understands.

export interface HostNic {
  name: string;
  mac: string;
  up: boolean;
  ipv4: { address: string; cidr: string }[];
  /** Backed by hardware (/sys/class/net/<if>/device exists): veth, bridges, tun/tap, docker are not. */
  physical: boolean;
  wireless: boolean;
  loopback: boolean;
  defaultRoute: boolean;
  speedMbps?: number;
}

export type InterfaceChoice = { kind: 'ok'; nic: HostNic; why: string } | { kind: 'error'; message: string };

function describe(n: HostNic): string {
  const ip = n.ipv4.map((a) => a.cidr).join(', ') || 'no IPv4';
  return `${n.name} (${n.up ? 'up' : 'down'}, ${ip}${n.physical ? '' : ', virtual'}${n.wireless ? ', wireless' : ''})`;
}

export function chooseServingInterface(nics: HostNic[], requested?: string): InterfaceChoice {
  if (requested) {
    const n = nics.find((x) => x.name === requested);
    if (!n)
      return {
        kind: 'error',
        message: `--interface ${requested}: no such interface (have ${nics.map((x) => x.name).join(', ')})`,
      };
    if (!n.up)
      return { kind: 'error', message: `--interface ${requested} is down: plug the cable into the site switch` };
    if (n.ipv4.length === 0) {
      return {
        kind: 'error',
        message: `--interface ${requested} has no IPv4 address: give it a static address on the site network`,
      };
    }
    return { kind: 'ok', nic: n, why: `${requested} was named with --interface` };
  }
  const usable = nics.filter((n) => !n.loopback && n.up && n.ipv4.length > 0);
  const wired = usable.filter((n) => n.physical && !n.wireless);
  const pool = wired.length > 0 ? wired : usable.filter((n) => !n.wireless);
  if (pool.length === 1) {
    const n = pool[0]!;
    const skipped = nics.filter((x) => x !== n && !x.loopback).map(describe);
    const reason = n.physical
      ? 'the only wired interface that is up with IPv4'
      : 'the only non-wireless interface that is up with IPv4';
    return { kind: 'ok', nic: n, why: `${n.name}: ${reason}${skipped.length ? `; not ${skipped.join('; ')}` : ''}` };
  }
  if (pool.length === 0) {
    return {
      kind: 'error',
      message: `no wired interface is up with an IPv4 address (${
        nics
          .filter((n) => !n.loopback)
          .map(describe)
          .join('; ') || 'none'
      }): plug the laptop into the site switch and give that port an address, or name it with --interface`,
    };
  }
  // Several candidates: never guess towards the office network. A wired NIC without the default route is the
  // usual site port on a laptop whose uplink is elsewhere.
  const offRoute = pool.filter((n) => !n.defaultRoute);
  if (offRoute.length === 1) {
    const n = offRoute[0]!;
    return {
      kind: 'ok',
      nic: n,
      why: `${n.name}: the wired interface that does not carry the default route (the others do)`,
    };
  }
  return {
    kind: 'error',
    message: `several interfaces could be the site network (${pool.map(describe).join('; ')}): name one with --interface`,
  };
}

/** A full-mode pool inside the serving subnet that avoids our own address: the upper half, at most 100. */
export function defaultPool(address: string, cidr: string): { start: string; end: string; mask: string } | undefined {
  const len = Number(cidr.split('/')[1]);
  if (!(len >= 8 && len <= 29)) return undefined;
  const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0) >>> 0;
  const toIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const size = 2 ** (32 - len);
  const base = (toInt(address) & ~(size - 1)) >>> 0;
  const count = Math.min(100, Math.floor((size - 2) / 2));
  let start = base + size - 1 - count;
  const own = toInt(address);
  if (own >= start && own < start + count) start = base + 1;
  const mask = toIp((~(size - 1) >>> 0) >>> 0);
  return { start: toIp(start), end: toIp(start + count - 1), mask };
}
