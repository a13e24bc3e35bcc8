// Probing for an existing DHCP server (for `--dhcp auto`, like MAAS's dhcp_probe_service): we build a DISCOVER,
// the adapter broadcasts it and collects OFFERs for a few seconds, and summarizeOffers says who answered.
import { BROADCAST_IP, macToBytes, ZERO_IP } from './address.js';
import { BROADCAST_FLAG, type DhcpPacket, getIpOption, getTextOption } from './codec.js';
import { BootOp, MessageType, OptionCode } from './options.js';
import { opt } from './reply.js';

export interface ForeignServer {
  serverId: string;
  offered: string;
  /** The server already gives a boot file or PXEClient options: PXE is served here by someone else. */
  bootsPxe: boolean;
  bootFile: string | undefined;
}

/** A DISCOVER with the broadcast flag (we have no address to receive unicast on) and no PXE class. */
export function buildProbeDiscover(mac: string, xid: number): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set(macToBytes(mac));
  return {
    op: BootOp.Request,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: xid >>> 0,
    secs: 0,
    flags: BROADCAST_FLAG,
    ciaddr: ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: ZERO_IP,
    chaddr,
    sname: '',
    file: '',
    options: [
      opt.u8(OptionCode.MessageType, MessageType.Discover),
      { code: OptionCode.ParameterList, data: Uint8Array.of(1, 3, 6, 54, 51, 60, 66, 67) },
      opt.text(OptionCode.VendorClass, 'eveboot-probe'),
    ],
  };
}

/** Reads OFFERs to our probe (same xid), one entry per server identifier. */
export function summarizeOffers(replies: readonly DhcpPacket[], xid: number): ForeignServer[] {
  const byServer = new Map<string, ForeignServer>();
  for (const r of replies) {
    if (r.op !== BootOp.Reply || r.xid !== xid >>> 0) continue;
    if (r.options.find((o) => o.code === OptionCode.MessageType)?.data[0] !== MessageType.Offer) continue;
    const serverId = getIpOption(r, OptionCode.ServerId) ?? (r.siaddr !== ZERO_IP ? r.siaddr : BROADCAST_IP);
    const bootFile = getTextOption(r, OptionCode.BootfileName)?.replace(/\0+$/, '') || r.file || undefined;
    const pxe = getTextOption(r, OptionCode.VendorClass)?.startsWith('PXEClient') ?? false;
    byServer.set(serverId, { serverId, offered: r.yiaddr, bootsPxe: pxe || bootFile !== undefined, bootFile });
  }
  return [...byServer.values()];
}
