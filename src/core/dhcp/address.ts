// IPv4 and MAC address values as DHCP carries them (4-byte and 6-byte big-endian fields).

export const ZERO_IP = '0.0.0.0';
export const BROADCAST_IP = '255.255.255.255';

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIpv4(ip: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip) && ip.split('.').every((p) => Number(p) <= 255);
}

export function ipFromBytes(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

export function ipToBytes(ip: string): Uint8Array {
  const n = ipToInt(ip);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

export function sameSubnet(a: string, b: string, mask: string): boolean {
  const m = ipToInt(mask);
  return (ipToInt(a) & m) >>> 0 === (ipToInt(b) & m) >>> 0;
}

/** Lower-case colon form, e.g. 52:54:00:99:00:10. */
export function macToString(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Accepts 52:54:00:99:00:10, 52-54-00-99-00-10 or 525400990010; returns the colon form or undefined. */
export function normalizeMac(s: string): string | undefined {
  const hex = s.toLowerCase().replace(/[:-]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

export function macToBytes(mac: string): Uint8Array {
  const norm = normalizeMac(mac);
  if (!norm) throw new RangeError(`not a MAC address: ${mac}`);
  return Uint8Array.from(norm.split(':'), (h) => Number.parseInt(h, 16));
}

/** iPXE's ${mac:hexhyp} form, used in per-machine URLs: 52-54-00-99-00-10. */
export function macHyphen(mac: string): string {
  return mac.replace(/:/g, '-');
}
