// UDP sockets for DHCP, plus the two things node:dgram cannot do, through the optional native addon in native/:
// SO_BINDTODEVICE (answer only on the serving NIC) and SIOCSARP (unicast to a client that has no address yet).
// Without the addon (not built, not Linux, or no CAP_NET_RAW) everything still works, with a warning.
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { intToIp, ipToInt } from '../core/dhcp/address.js';
import { loadNativeNet } from './native-addon.js';

/** The OS file descriptor behind a bound dgram socket (Node keeps it in an internal handle). */
export function socketFd(sock: dgram.Socket): number | undefined {
  for (const sym of Object.getOwnPropertySymbols(sock)) {
    const state = (sock as unknown as Record<symbol, { handle?: { fd?: number } }>)[sym];
    const fd = state?.handle?.fd;
    if (typeof fd === 'number' && fd >= 0) return fd;
  }
  return undefined;
}

export interface OpenedSocket {
  socket: dgram.Socket;
  /** True when the kernel filters this socket to `ifname` (SO_BINDTODEVICE). */
  boundToDevice: boolean;
  warning?: string;
}

export async function openDhcpSocket(port: number, address: string, ifname?: string): Promise<OpenedSocket> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.setBroadcast(true);
  if (!ifname) return { socket, boundToDevice: false };
  const result = bindToDevice(socket, ifname);
  return result === true ? { socket, boundToDevice: true } : { socket, boundToDevice: false, warning: result };
}

/** true, or why not. */
export function bindToDevice(socket: dgram.Socket, ifname: string): true | string {
  const native = loadNativeNet();
  if (typeof native === 'string') return `cannot bind to interface ${ifname}: ${native}`;
  const fd = socketFd(socket);
  if (fd === undefined) return `cannot bind to interface ${ifname}: no file descriptor on the dgram socket`;
  const errno = native.bindToDevice(fd, ifname);
  return errno === 0 ? true : `SO_BINDTODEVICE ${ifname} failed (errno ${errno}; needs CAP_NET_RAW)`;
}

/** Adds a neighbour entry so a unicast reply reaches a client without an address; false when that is impossible. */
export function injectArp(socket: dgram.Socket, ifname: string | undefined, ip: string, mac: string): boolean {
  const native = loadNativeNet();
  const fd = socketFd(socket);
  if (!ifname || typeof native === 'string' || fd === undefined) return false;
  return native.injectArp(fd, ifname, ip, Buffer.from(mac.split(':').map((h) => Number.parseInt(h, 16)))) === 0;
}

/** The subnet-directed broadcast of `ifname` (e.g. 10.99.0.255): leaves through that NIC even without the addon. */
export function directedBroadcast(ifname: string): string | undefined {
  const v4 = networkInterfaces()[ifname]?.find((a) => a.family === 'IPv4');
  if (!v4) return undefined;
  const mask = ipToInt(v4.netmask);
  return intToIp(((ipToInt(v4.address) & mask) | ~mask) >>> 0);
}

/**
 * One IPv6 Router Advertisement on the serving NIC (lifetime 0: no default route claimed). iPXE waits ~13 s for
 * IPv6 autoconfiguration when no router answers (test-harness.md §1); an RA ends that wait. Returns a reason when
 * it could not be sent (no addon, no CAP_NET_RAW, IPv6 off on the interface), else undefined.
 */
export function sendRouterAdvertisement(ifname: string): string | undefined {
  const native = loadNativeNet();
  if (typeof native === 'string') return native;
  if (!native.sendRouterAdvert) return 'the native addon predates router advertisements: rebuild it';
  const errno = native.sendRouterAdvert(ifname);
  return errno === 0 ? undefined : `router advertisement on ${ifname} failed (errno ${errno})`;
}
