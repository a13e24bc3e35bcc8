// Crafted client packets for decision tests (captured ones come from fixtures.ts).
import { macToBytes, ZERO_IP } from '../../../src/core/dhcp/address.js';
import type { DhcpOption, DhcpPacket } from '../../../src/core/dhcp/codec.js';
import { BootOp, MessageType, OptionCode } from '../../../src/core/dhcp/options.js';
import { opt } from '../../../src/core/dhcp/reply.js';

export interface ClientSpec {
  mac?: string;
  type?: MessageType;
  vendorClass?: string;
  arch?: number;
  userClass?: Uint8Array;
  ipxeEncap?: Uint8Array;
  serverId?: string;
  requested?: string;
  ciaddr?: string;
  giaddr?: string;
  broadcast?: boolean;
  extra?: DhcpOption[];
}

export function clientPacket(s: ClientSpec = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set(macToBytes(s.mac ?? '52:54:00:00:00:01'));
  const options: DhcpOption[] = [opt.u8(OptionCode.MessageType, s.type ?? MessageType.Discover)];
  if (s.serverId) options.push(opt.ip(OptionCode.ServerId, s.serverId));
  if (s.requested) options.push(opt.ip(OptionCode.RequestedAddress, s.requested));
  if (s.vendorClass) options.push(opt.text(OptionCode.VendorClass, s.vendorClass));
  if (s.arch !== undefined)
    options.push({ code: OptionCode.ClientArch, data: Uint8Array.of(s.arch >> 8, s.arch & 255) });
  if (s.userClass) options.push({ code: OptionCode.UserClass, data: s.userClass });
  if (s.ipxeEncap) options.push({ code: OptionCode.IpxeEncap, data: s.ipxeEncap });
  options.push(...(s.extra ?? []));
  return {
    op: BootOp.Request,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x1234,
    secs: 0,
    flags: s.broadcast ? 0x8000 : 0,
    ciaddr: s.ciaddr ?? ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: s.giaddr ?? ZERO_IP,
    chaddr,
    sname: '',
    file: '',
    options,
  };
}

export const pxe = (arch: number) => ({
  vendorClass: `PXEClient:Arch:${String(arch).padStart(5, '0')}:UNDI:002001`,
  arch,
});
