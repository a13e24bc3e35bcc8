// Which file a netboot client gets: first-stage iPXE over TFTP, an iPXE binary over UEFI HTTP boot, or (for iPXE
// itself) the per-machine script URL, so iPXE never chain-loads iPXE again.
import { macHyphen } from './address.js';
import type { ClientInfo } from './classify.js';

export interface BootFiles {
  /** Arch 0. */
  bios: string;
  /** Arch 6/7/9 (and 15/16 over HTTP). snponly.efi uses the firmware's NIC driver; ipxe.efi brings its own. */
  uefi: string;
  /** Arch 11 (and 19 over HTTP); undefined when no arm64 iPXE build is available. */
  arm64?: string;
}

export interface BootConfig {
  /** siaddr / option 66: where first-stage iPXE comes from over TFTP. */
  tftpServer: string;
  /** iPXE gets `${scriptBaseUrl}${mac-with-hyphens}.ipxe`, e.g. http://10.99.0.1:8080/boot/52-54-00-99-00-10.ipxe */
  scriptBaseUrl: string;
  /** UEFI HTTP boot clients get `${httpBootBaseUrl}${file}`; must be an IP-literal URL (firmware may lack DNS). */
  httpBootBaseUrl: string;
  files: BootFiles;
}

export const defaultBootFiles: BootFiles = { bios: 'undionly.kpxe', uefi: 'snponly.efi' };

export type BootTarget =
  | { kind: 'script'; url: string; reason: string }
  | { kind: 'tftp'; file: string; server: string; reason: string }
  | { kind: 'http'; url: string; reason: string }
  | { kind: 'none'; reason: string };

export function chooseBoot(c: ClientInfo, cfg: BootConfig): BootTarget {
  if (!c.netboot && !c.ipxe) return { kind: 'none', reason: 'not a netboot client (no PXEClient/HTTPClient class)' };
  if (c.ipxe && !c.ipxeWithoutHttp) {
    return { kind: 'script', url: `${cfg.scriptBaseUrl}${macHyphen(c.mac)}.ipxe`, reason: 'iPXE → per-machine script' };
  }
  const file = firstStageFile(c, cfg.files);
  if (file.kind === 'none') return file;
  if (c.firmware === 'uefi-http') {
    return {
      kind: 'http',
      url: `${cfg.httpBootBaseUrl}${file.name}`,
      reason: `${describeArch(c)} → HTTP ${file.name}`,
    };
  }
  const why = c.ipxe ? 'iPXE without HTTP support → chain-load' : describeArch(c);
  return { kind: 'tftp', file: file.name, server: cfg.tftpServer, reason: `${why} → TFTP ${file.name}` };
}

function firstStageFile(
  c: ClientInfo,
  files: BootFiles,
): { kind: 'file'; name: string } | { kind: 'none'; reason: string } {
  if (c.firmware === 'bios') return { kind: 'file', name: files.bios };
  if (c.firmware === 'unknown')
    return { kind: 'none', reason: `client architecture ${c.arch ?? '?'} is not supported` };
  switch (c.cpu) {
    case 'x86':
    case 'x64':
      return { kind: 'file', name: files.uefi };
    case 'arm64':
      return files.arm64
        ? { kind: 'file', name: files.arm64 }
        : { kind: 'none', reason: 'arm64 UEFI client, but no arm64 iPXE build is configured (boot.files.arm64)' };
    case 'arm32':
    case 'unknown':
      return { kind: 'none', reason: `no iPXE build for ${c.cpu} ${c.firmware} (arch ${c.arch ?? '?'})` };
  }
}

export function describeArch(c: ClientInfo): string {
  return `arch ${c.arch ?? '-'} ${c.firmware}/${c.cpu}`;
}
