// Who is asking: firmware type and architecture (RFC 4578 option 93 or the PXEClient vendor class), whether the
// client is iPXE (option 77 / 175), a UEFI HTTP boot client (vendor class HTTPClient) or an ordinary DHCP client.
import { clientMac, type DhcpPacket, getMessageType, getOption, getTextOption, latin1 } from './codec.js';
import { ClientArch, IpxeFeature, OptionCode } from './options.js';

export type Firmware = 'bios' | 'uefi' | 'uefi-http' | 'unknown';
export type CpuArch = 'x86' | 'x64' | 'arm32' | 'arm64' | 'unknown';

export interface ClientInfo {
  mac: string;
  msgType: number | undefined;
  /** Option 93 (first value), or the Arch field of a PXEClient/HTTPClient vendor class. */
  arch: number | undefined;
  firmware: Firmware;
  cpu: CpuArch;
  /** Vendor class starts with PXEClient (PXE spec §2.1) or HTTPClient (UEFI 2.5+ HTTP boot). */
  netboot: boolean;
  httpBoot: boolean;
  ipxe: boolean;
  /** iPXE said (option 175) it cannot do HTTP; it must chain-load a fuller iPXE first. */
  ipxeWithoutHttp: boolean;
  vendorClass: string | undefined;
  userClasses: string[];
  guid: string | undefined;
}

/** Our own iPXE builds may mark themselves with this user class, like pixiecore/smee do. */
export const EVEBOOT_USER_CLASS = 'eveboot';

const ARCH_TABLE: Record<number, { firmware: Firmware; cpu: CpuArch }> = {
  [ClientArch.BiosX86]: { firmware: 'bios', cpu: 'x86' },
  [ClientArch.UefiIa32]: { firmware: 'uefi', cpu: 'x86' },
  [ClientArch.UefiX64]: { firmware: 'uefi', cpu: 'x64' },
  [ClientArch.UefiBc]: { firmware: 'uefi', cpu: 'x64' },
  [ClientArch.UefiArm32]: { firmware: 'uefi', cpu: 'arm32' },
  [ClientArch.UefiArm64]: { firmware: 'uefi', cpu: 'arm64' },
  [ClientArch.UefiHttpIa32]: { firmware: 'uefi-http', cpu: 'x86' },
  [ClientArch.UefiHttpX64]: { firmware: 'uefi-http', cpu: 'x64' },
  [ClientArch.UefiHttpArm32]: { firmware: 'uefi-http', cpu: 'arm32' },
  [ClientArch.UefiHttpArm64]: { firmware: 'uefi-http', cpu: 'arm64' },
};

export function classifyClient(p: DhcpPacket): ClientInfo {
  const vendorClass = getTextOption(p, OptionCode.VendorClass);
  const pxe = vendorClass?.startsWith('PXEClient') ?? false;
  const httpBoot = vendorClass?.startsWith('HTTPClient') ?? false;
  const arch = readArch(p, vendorClass);
  // PXE 2.1 ROMs that predate RFC 4578 send no option 93; they are x86 BIOS.
  const known = arch === undefined ? (pxe ? ARCH_TABLE[0] : undefined) : ARCH_TABLE[arch];
  const userClasses = parseUserClass(getOption(p, OptionCode.UserClass) ?? new Uint8Array()).classes;
  const ipxeFeatures = getOption(p, OptionCode.IpxeEncap);
  // Option 77 "iPXE" is what iPXE sends (bare, not RFC 3004 framed: see fixtures); option 175 also catches derivatives
  // that send no user class, e.g. Mellanox FlexBoot (warewulf/warewulf3#104), as MAAS and dnsmasq recipes do.
  const ipxe = userClasses.includes('iPXE') || userClasses.includes(EVEBOOT_USER_CLASS) || ipxeFeatures !== undefined;
  return {
    mac: clientMac(p),
    msgType: getMessageType(p),
    arch,
    firmware: httpBoot && known ? 'uefi-http' : (known?.firmware ?? 'unknown'),
    cpu: known?.cpu ?? 'unknown',
    netboot: pxe || httpBoot,
    httpBoot,
    ipxe,
    ipxeWithoutHttp: ipxeFeatures !== undefined && !hasIpxeFeature(ipxeFeatures, IpxeFeature.Http),
    vendorClass,
    userClasses,
    guid: formatGuid(getOption(p, OptionCode.ClientGuid)),
  };
}

function readArch(p: DhcpPacket, vendorClass: string | undefined): number | undefined {
  const opt = getOption(p, OptionCode.ClientArch);
  if (opt && opt.length >= 2) return (opt[0]! << 8) | opt[1]!;
  const m = vendorClass?.match(/^(?:PXEClient|HTTPClient):Arch:(\d{5})/);
  return m ? Number(m[1]) : undefined;
}

/** Option 175 carries iPXE settings as code/len/value; a one-byte value 1 means the feature is built in. */
function hasIpxeFeature(encap: Uint8Array, feature: IpxeFeature): boolean {
  for (let at = 0; at + 1 < encap.length; at += 2 + encap[at + 1]!) {
    if (encap[at] === feature) return true;
  }
  return false;
}

/** RFC 3004 §4 framing (len, data)*; iPXE and some ROMs send a bare string instead. */
export function parseUserClass(d: Uint8Array): { rfc3004: boolean; classes: string[] } {
  if (d.length === 0) return { rfc3004: false, classes: [] };
  const classes: string[] = [];
  let at = 0;
  while (at < d.length) {
    const len = d[at]!;
    if (len === 0 || at + 1 + len > d.length) return { rfc3004: false, classes: [latin1(d)] };
    classes.push(latin1(d.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  return { rfc3004: true, classes };
}

/** Option 97 type 0: the SMBIOS UUID with the first three fields little-endian (EFI GUID order, seen from OVMF/iPXE). */
export function formatGuid(d: Uint8Array | undefined): string | undefined {
  if (d?.length !== 17 || d[0] !== 0) return undefined;
  const h = (from: number, to: number, reverse: boolean) => {
    const bytes = Array.from(d.subarray(from, to), (x) => x.toString(16).padStart(2, '0'));
    return (reverse ? bytes.reverse() : bytes).join('');
  };
  return [h(1, 5, true), h(5, 7, true), h(7, 9, true), h(9, 11, false), h(11, 17, false)].join('-');
}
