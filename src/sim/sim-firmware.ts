// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in comments is iPXE settings syntax
// The network-boot half of a simulated node, over the real protocols against the appliance's real servers:
// UEFI PXE firmware DHCP → TFTP of the boot file (snponly.efi) → iPXE's own DHCP (gets the per-machine script
// URL) → the HTTP chain (sim-ipxe.ts): identity report, decision, kernel + initrd downloads at a realistic rate,
// `boot`, and then the stand-in installer (CONFIG from inside installer.iso, /boot/installed). Every request leaves from the node's leased 127.0.100.x address, so the appliance attributes
// TFTP and HTTP traffic to the node exactly as it would on a real LAN.

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { readFile } from '../core/disk/fat-read.js';
import { type AsyncLock, type DhcpLease, dhcpExchange } from './dhcp-client.js';
import { ipxeChain, type StepTiming } from './sim-ipxe.js';
import { tftpGet } from './tftp-client.js';

export { createAsyncLock } from './dhcp-client.js';
export type { StepTiming } from './sim-ipxe.js';

export interface SimFirmwareOptions {
  mac: string;
  serial: string;
  smbiosUuid: string;
  /** Every NIC iPXE sees, net0 first; the boot NIC is added in front when missing. */
  nics: { mac: string; up: boolean }[];
  /** Where DHCP goes: 127.0.0.1 in the loopback rehearsal, 255.255.255.255 on a real NIC (a network namespace). */
  server: string;
  dhcpPort: number;
  /** The client's DHCP port: dhcpPort + 1 in the loopback rehearsal (default), 68 on a real NIC. */
  dhcpClientPort?: number;
  /** Client socket address: the server's by default; 0.0.0.0 on a real NIC that has no address yet. */
  dhcpBindAddress?: string;
  /** The firmware's lease is in: put its address on the NIC (a PXE ROM configures its own stack this way). */
  onLease?: (lease: DhcpLease) => Promise<void> | void;
  tftpPort: number;
  /** Unused by the chain itself (the script URL comes from DHCP); kept for callers that pass their port set. */
  httpPort?: number;
  /** Artifact download rate, bytes/s. Default 20 MB/s (a 40 MB installer takes two seconds). */
  rateBytesPerSec?: number;
  /** Serialises DHCP exchanges of all simulated nodes on the shared client port (dhcpPort + 1). */
  dhcpLock: AsyncLock;
  signal: AbortSignal;
  log?: (m: string) => void;
  manufacturer?: string;
  product?: string;
  /** How long the stand-in installer "writes the disk" after fetching config.img. Default 1500 ms. */
  installMs?: number;
}

/** A stable SMBIOS UUID for a simulated box (RFC 4122 version 4 layout, derived from its serial). */
export function simSmbiosUuid(serial: string): string {
  const h = createHash('sha256').update(`eveboot-sim-smbios:${serial}`).digest('hex');
  const v = `4${h.slice(13, 16)}`;
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface NetbootResult {
  /** The appliance's boot decision: install, local, ignore, unsupported. */
  decision: 'install' | 'local' | 'ignore' | string;
  /** Boot file + artifact bytes received. */
  bytes: number;
  ip: string;
  bootFile: string;
  /** The stand-in installer reported completion (/boot/installed). */
  installed: boolean;
  /** The CONFIG partition image the stand-in installer took from inside installer.iso (what it copies to disk). */
  config?: Uint8Array;
  /** eve_soft_serial the install passed (the booting NIC's MAC, hexhyp): the soft serial the device registers with. */
  softSerial?: string;
  timings: StepTiming[];
}

export async function netbootSimNode(o: SimFirmwareOptions): Promise<NetbootResult> {
  const log = o.log ?? (() => {});
  const timings: StepTiming[] = [];
  const timed = async <T>(step: StepTiming['step'], f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    timings.push({ step, ms: Math.round(performance.now() - t0) });
    return r;
  };
  const dhcp = (kind: 'firmware' | 'ipxe') =>
    o.dhcpLock.run(() =>
      dhcpExchange({
        kind,
        mac: o.mac,
        smbiosUuid: o.smbiosUuid,
        server: o.server,
        serverPort: o.dhcpPort,
        clientPort: o.dhcpClientPort ?? o.dhcpPort + 1,
        ...(o.dhcpBindAddress ? { bindAddress: o.dhcpBindAddress } : {}),
        signal: o.signal,
      }),
    );

  const fw = await timed('dhcp', () => dhcp('firmware'));
  log(`PXE: DHCP lease ${fw.ip} from ${fw.serverId}, boot file ${fw.bootFile || '(none)'} on ${fw.nextServer}`);
  await o.onLease?.(fw);
  if (!fw.bootFile) throw new Error(`netboot ${o.mac}: the DHCP ACK names no boot file (option 67 / file field)`);
  const nbp = await timed('tftp', () =>
    tftpGet({
      server: fw.nextServer,
      port: o.tftpPort,
      file: fw.bootFile,
      localAddress: fw.ip,
      signal: o.signal,
    }),
  );
  log(`PXE: TFTP ${fw.bootFile} ${nbp.data.length} bytes (blksize ${nbp.blksize}, window ${nbp.windowsize})`);

  const ipxe = await timed('ipxe-dhcp', () => dhcp('ipxe'));
  if (!/^https?:\/\//.test(ipxe.bootFile)) {
    throw new Error(`netboot ${o.mac}: iPXE's DHCP ACK has boot file "${ipxe.bootFile}", not the script URL`);
  }
  log(`iPXE: lease ${ipxe.ip}, chain ${ipxe.bootFile}`);
  const nics = o.nics.some((n) => n.mac === o.mac) ? o.nics : [{ mac: o.mac, up: true }, ...o.nics];
  const run = await ipxeChain(ipxe.bootFile, {
    localAddress: ipxe.ip,
    signal: o.signal,
    rateBytesPerSec: o.rateBytesPerSec,
    smbiosUuid: o.smbiosUuid,
    serial: o.serial,
    manufacturer: o.manufacturer,
    product: o.product,
    bootMac: o.mac,
    nics,
    installMs: o.installMs,
    log,
    mark: (step, ms) => timings.push({ step, ms }),
  });
  if (!run.decision) {
    throw new Error(`netboot ${o.mac}: iPXE got no boot decision from ${ipxe.bootFile}: ${run.error ?? 'no reason'}`);
  }
  if (run.decision === 'install' && !run.installed && !run.efi) {
    throw new Error(`netboot ${o.mac}: install decided, but the installer did not finish: ${run.error ?? '?'}`);
  }
  log(`netboot done: decision ${run.decision}${run.installed ? ', installed' : ''}`);
  return {
    decision: run.decision,
    bytes: nbp.data.length + run.bytes,
    ip: ipxe.ip,
    bootFile: fw.bootFile,
    installed: run.installed,
    config: run.config,
    softSerial: run.softSerial,
    timings,
  };
}

/** onboard.cert.pem / onboard.key.pem from a CONFIG image (eve-api-facts §6.4), as EVE's onboarding reads them. */
export function onboardingFrom(config: Uint8Array): { certPem: string; keyPem: string } {
  const text = (p: string) => new TextDecoder().decode(readFile(config, p));
  return { certPem: text('onboard.cert.pem'), keyPem: text('onboard.key.pem') };
}
