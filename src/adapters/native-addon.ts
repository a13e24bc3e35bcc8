// The optional native addon in native/ (Linux only): socket calls node:dgram lacks, for DHCP, and the
// TFTP data pump. Built by `npm run build:native` (npm test does it); everything works without it,
// with a warning (DHCP) or on the slower node:dgram path (TFTP).
import { createRequire } from 'node:module';

/** Older builds of the addon lack the router advertisement, the pump and sendfile. */
export interface NativeNet extends Partial<NativePump>, Partial<NativeSendfile> {
  bindToDevice(fd: number, ifname: string): number;
  injectArp(fd: number, ifname: string, ip: string, mac: Buffer): number;
  sendRouterAdvert?(ifname: string): number;
}

/** The TFTP data pump (native/src/tftp_pump.c). */
export interface NativePump {
  tftpPumpOpen(
    bindAddress: string,
    clientAddress: string,
    clientPort: number,
    source: number | Uint8Array,
    size: number,
    blksize: number,
    windowsize: number,
    spinMaxUs: number,
    onRun: PumpCallback,
  ): { handle: PumpHandle; port: number };
  tftpPumpSend(h: PumpHandle, bytes: Uint8Array): number;
  tftpPumpSendBlocks(h: PumpHandle, from: number, to: number): number;
  tftpPumpRun(
    h: PumpHandle,
    acked: number,
    sentTo: number,
    lastBlock: number,
    burstAgeMs: number,
    waitMs: number,
    rtoMs: number,
    yieldMs: number,
    retried: boolean,
    wantSample: boolean,
  ): number;
  tftpPumpStop(h: PumpHandle): number;
  tftpPumpClose(h: PumpHandle): number;
}

/** HTTP artifact bodies with sendfile(2) on a thread (native/src/sendfile_pump.c). */
export interface NativeSendfile {
  /** `onProgress(sent, done, errno)`: about every 250 ms, and once with done true (errno 0: all sent). */
  sendfileStart(
    socketFd: number,
    path: string,
    offset: number,
    length: number,
    onProgress: (sent: number, done: boolean, errno: number) => void,
  ): SendfileHandle;
  sendfileStop(h: SendfileHandle): number;
}

declare const sendfileHandle: unique symbol;
export type SendfileHandle = { readonly [sendfileHandle]: true };

declare const pumpHandle: unique symbol;
export type PumpHandle = { readonly [pumpHandle]: true };

/** How a pump run ended (native/src/tftp_pump.c). */
export enum PumpOutcome {
  Yield = 0,
  Packet = 1,
  Timeout = 2,
  Finished = 3,
  Stopped = 4,
  ReadError = 5,
  SocketError = 6,
}

/** `rttOrErrno` is the last clean round trip in ms (-1: none), or -errno for the two error outcomes. */
export type PumpCallback = (
  outcome: PumpOutcome,
  acked: number,
  sentTo: number,
  burstAgeMs: number,
  rttOrErrno: number,
  packet: Buffer | undefined,
) => void;

const ADDON_PATH = new URL('../../native/build/Release/eveboot_net.node', import.meta.url);
let cached: NativeNet | string | undefined;

/** The addon, or the reason it is unavailable. */
export function loadNativeNet(): NativeNet | string {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)(ADDON_PATH.pathname) as NativeNet;
    } catch (err) {
      cached = `native addon ${ADDON_PATH.pathname} not loadable (${(err as Error).message.split('\n')[0]}); build it with: npm run build:native`;
    }
  }
  return cached;
}

/** One part of the addon, present when `fn` is exported; older builds lack the newer parts. */
function loadPart<T>(fn: keyof NativeNet, what: string): T | string {
  const addon = loadNativeNet();
  if (typeof addon === 'string') return addon;
  return typeof addon[fn] === 'function'
    ? (addon as unknown as T)
    : `the native addon was built before ${what} existed; rebuild it with: npm run build:native`;
}

/** The addon's TFTP data pump, or why it is unavailable. */
export const loadNativePump = () => loadPart<NativePump>('tftpPumpOpen', 'the TFTP pump');

/** The addon's sendfile, or why it is unavailable. */
export const loadNativeSendfile = () => loadPart<NativeSendfile>('sendfileStart', 'sendfile');
