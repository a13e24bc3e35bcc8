// IPv4 arithmetic for cluster planning: addresses as unsigned 32-bit numbers, prefixes as {base, len}.
export interface Ipv4Prefix {
  base: number;
  len: number;
}

export function parseIpv4(s: string): number | undefined {
  const parts = s.trim().split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Parses "a.b.c.d/len". `strict` refuses host bits; otherwise they are cleared (DevicePort.subnet is a network). */
export function parsePrefix(s: string, strict = false): Ipv4Prefix | undefined {
  const [ip, lenText, extra] = s.trim().split('/');
  if (ip === undefined || lenText === undefined || extra !== undefined || !/^\d{1,2}$/.test(lenText)) return undefined;
  const addr = parseIpv4(ip);
  const len = Number(lenText);
  if (addr === undefined || len > 32) return undefined;
  const base = (addr & mask(len)) >>> 0;
  if (strict && base !== addr) return undefined;
  return { base, len };
}

export function formatPrefix(p: Ipv4Prefix): string {
  return `${formatIpv4(p.base)}/${p.len}`;
}

export function prefixContains(p: Ipv4Prefix, addr: number): boolean {
  return (addr & mask(p.len)) >>> 0 === p.base;
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  const len = Math.min(a.len, b.len);
  return (a.base & mask(len)) >>> 0 === (b.base & mask(len)) >>> 0;
}

/** Hosts excluding the network and broadcast addresses (RFC 3021 /31 links are too small for three nodes anyway). */
export function usableHosts(p: Ipv4Prefix): number {
  return p.len >= 31 ? 0 : 2 ** (32 - p.len) - 2;
}

/** RFC 3927 link-local: identical on every unrelated segment, so never evidence of a shared one. */
export function isLinkLocal(addr: number): boolean {
  return addr >>> 16 === 0xa9fe;
}
