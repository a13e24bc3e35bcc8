// DHCP protocol numbers and the option table. Every code cites the document that defines it.

/** BOOTP op field. RFC 951 §3 */
export enum BootOp {
  Request = 1,
  Reply = 2,
}

/** Option 53 values. RFC 2132 §9.6 (DISCOVER…INFORM), RFC 2131 §3 */
export enum MessageType {
  Discover = 1,
  Offer = 2,
  Request = 3,
  Decline = 4,
  Ack = 5,
  Nak = 6,
  Release = 7,
  Inform = 8,
}

export enum OptionCode {
  Pad = 0, // RFC 2132 §3.1
  SubnetMask = 1, // RFC 2132 §3.3
  Router = 3, // RFC 2132 §3.5
  DomainServer = 6, // RFC 2132 §3.8
  HostName = 12, // RFC 2132 §3.14
  DomainName = 15, // RFC 2132 §3.17
  BroadcastAddress = 28, // RFC 2132 §5.3
  VendorSpecific = 43, // RFC 2132 §8.4; PXE spec 2.1 §2.4 sub-options
  RequestedAddress = 50, // RFC 2132 §9.1
  LeaseTime = 51, // RFC 2132 §9.2
  Overload = 52, // RFC 2132 §9.3
  MessageType = 53, // RFC 2132 §9.6
  ServerId = 54, // RFC 2132 §9.7
  ParameterList = 55, // RFC 2132 §9.8
  Message = 56, // RFC 2132 §9.9
  MaxMessageSize = 57, // RFC 2132 §9.10
  RenewalTime = 58, // RFC 2132 §9.11
  RebindingTime = 59, // RFC 2132 §9.12
  VendorClass = 60, // RFC 2132 §9.13
  ClientId = 61, // RFC 2132 §9.14
  TftpServerName = 66, // RFC 2132 §9.4
  BootfileName = 67, // RFC 2132 §9.5
  UserClass = 77, // RFC 3004 §4
  RelayAgentInfo = 82, // RFC 3046 §2.0
  ClientArch = 93, // RFC 4578 §2.1
  ClientNdi = 94, // RFC 4578 §2.2
  ClientGuid = 97, // RFC 4578 §2.3
  IpxeEncap = 175, // iPXE src/include/ipxe/dhcp.h DHCP_EB_ENCAP
  End = 255, // RFC 2132 §3.2
}

/** Option 52 values. RFC 2132 §9.3 */
export enum Overload {
  File = 1,
  Sname = 2,
  Both = 3,
}

/** Option 93 values. RFC 4578 §2.1 + IANA "Processor Architecture Types" registry (7 and 9 swapped in the RFC). */
export enum ClientArch {
  BiosX86 = 0,
  UefiIa32 = 6,
  UefiX64 = 7,
  UefiBc = 9, // EBC in the registry; x64 firmware in the wild sends it (MAAS LP:1768034)
  UefiArm32 = 10,
  UefiArm64 = 11,
  UefiHttpIa32 = 15,
  UefiHttpX64 = 16,
  UefiHttpArm32 = 18,
  UefiHttpArm64 = 19,
}

/** Option 43 sub-options inside a PXEClient packet. PXE spec 2.1 §2.4 table 2-1 */
export enum PxeSubOption {
  DiscoveryControl = 6,
  BootServers = 8,
  BootMenu = 9,
  MenuPrompt = 10,
}

/** PXE_DISCOVERY_CONTROL bits. PXE spec 2.1 §2.4: bit 3 = "download the boot file named in this offer". */
export enum PxeDiscovery {
  DisableBroadcast = 1,
  DisableMulticast = 2,
  OnlyListed = 4,
  BootFileDirect = 8,
}

/** Option 82 sub-options. RFC 3046 §2.0 */
export enum RelaySubOption {
  CircuitId = 1,
  RemoteId = 2,
}

/** Option 175 settings that identify iPXE. iPXE src/include/ipxe/dhcp.h */
export enum IpxeFeature {
  Priority = 1,
  KeepSan = 8,
  PxeExt = 16,
  Iscsi = 17,
  Aoe = 18,
  Http = 19,
  Https = 20,
  Tftp = 21,
  Ftp = 22,
  Dns = 23,
  BzImage = 24,
  Multiboot = 25,
  Slam = 26,
  Srp = 27,
  Nbi = 32,
  Pxe = 33,
  Elf = 34,
  Comboot = 35,
  Efi = 36,
  FcoE = 37,
  VlanId = 38,
  Menu = 39,
  Sdi = 40,
  Nfs = 41,
  BusId = 177,
  Version = 235,
}

/** How an option's bytes are read for the decoded text view. */
export type OptionKind =
  | 'ip'
  | 'ips'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'text'
  | 'bytes'
  | 'codes'
  | 'msgtype'
  | 'clientid'
  | 'userclass'
  | 'arch'
  | 'ndi'
  | 'guid'
  | 'pxe'
  | 'relay'
  | 'ipxe'
  | 'overload';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
}

/** The explicit option table: codes we read or write. Unknown codes are kept as raw bytes. */
export const optionTable: ReadonlyMap<number, OptionSpec> = new Map<number, OptionSpec>([
  [OptionCode.SubnetMask, { name: 'subnet-mask', kind: 'ip' }],
  [2, { name: 'time-offset', kind: 'u32' }], // RFC 2132 §3.4
  [OptionCode.Router, { name: 'router', kind: 'ips' }],
  [OptionCode.DomainServer, { name: 'domain-server', kind: 'ips' }],
  [7, { name: 'log-server', kind: 'ips' }], // RFC 2132 §3.9
  [OptionCode.HostName, { name: 'host-name', kind: 'text' }],
  [OptionCode.DomainName, { name: 'domain-name', kind: 'text' }],
  [17, { name: 'root-path', kind: 'text' }], // RFC 2132 §3.19
  [26, { name: 'interface-mtu', kind: 'u16' }], // RFC 2132 §5.1
  [OptionCode.BroadcastAddress, { name: 'broadcast-address', kind: 'ip' }],
  [42, { name: 'ntp-servers', kind: 'ips' }], // RFC 2132 §8.3
  [OptionCode.VendorSpecific, { name: 'vendor-specific', kind: 'pxe' }],
  [OptionCode.RequestedAddress, { name: 'requested-address', kind: 'ip' }],
  [OptionCode.LeaseTime, { name: 'lease-time', kind: 'u32' }],
  [OptionCode.Overload, { name: 'overload', kind: 'overload' }],
  [OptionCode.MessageType, { name: 'message-type', kind: 'msgtype' }],
  [OptionCode.ServerId, { name: 'server-id', kind: 'ip' }],
  [OptionCode.ParameterList, { name: 'parameter-list', kind: 'codes' }],
  [OptionCode.Message, { name: 'message', kind: 'text' }],
  [OptionCode.MaxMessageSize, { name: 'max-message-size', kind: 'u16' }],
  [OptionCode.RenewalTime, { name: 'renewal-time', kind: 'u32' }],
  [OptionCode.RebindingTime, { name: 'rebinding-time', kind: 'u32' }],
  [OptionCode.VendorClass, { name: 'vendor-class', kind: 'text' }],
  [OptionCode.ClientId, { name: 'client-id', kind: 'clientid' }],
  [OptionCode.TftpServerName, { name: 'tftp-server', kind: 'text' }],
  [OptionCode.BootfileName, { name: 'bootfile-name', kind: 'text' }],
  [OptionCode.UserClass, { name: 'user-class', kind: 'userclass' }],
  [OptionCode.RelayAgentInfo, { name: 'relay-agent-info', kind: 'relay' }],
  [OptionCode.ClientArch, { name: 'client-arch', kind: 'arch' }],
  [OptionCode.ClientNdi, { name: 'client-ndi', kind: 'ndi' }],
  [OptionCode.ClientGuid, { name: 'client-guid', kind: 'guid' }],
  [119, { name: 'domain-search', kind: 'bytes' }], // RFC 3397
  [121, { name: 'classless-route', kind: 'bytes' }], // RFC 3442
  [OptionCode.IpxeEncap, { name: 'ipxe', kind: 'ipxe' }],
]);

export function optionName(code: number): string {
  return optionTable.get(code)?.name ?? `option-${code}`;
}
