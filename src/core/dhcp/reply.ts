// Building reply packets: header fields copied per RFC 2131 §4.3.1 table 3, option encoders, where a reply goes.
import { ipToBytes, ZERO_IP } from './address.js';
import type { BootTarget } from './boot.js';
import type { ClientInfo } from './classify.js';
import { BROADCAST_FLAG, type DhcpOption, type DhcpPacket, fromLatin1, getOption, getTextOption } from './codec.js';
import { BootOp, MessageType, OptionCode, PxeDiscovery, PxeSubOption } from './options.js';

export type ReplyDest =
  /** 255.255.255.255 on the client port. */
  | { kind: 'broadcast' }
  /** Unicast to the client port; `mac` is set when the client has no address yet (the sender needs an ARP entry). */
  | { kind: 'client'; ip: string; mac?: string }
  /** A relay agent's giaddr on the server port (RFC 2131 §4.1). */
  | { kind: 'relay'; ip: string }
  /** Back to the datagram's source address and port (the PXE port-4011 exchange). */
  | { kind: 'source' };

export const opt = {
  u8: (code: number, v: number): DhcpOption => ({ code, data: Uint8Array.of(v) }),
  u32: (code: number, v: number): DhcpOption => ({
    code,
    data: Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255),
  }),
  ip: (code: number, ip: string): DhcpOption => ({ code, data: ipToBytes(ip) }),
  ips: (code: number, ips: readonly string[]): DhcpOption => ({
    code,
    data: Uint8Array.from(ips.flatMap((ip) => [...ipToBytes(ip)])),
  }),
  text: (code: number, s: string): DhcpOption => ({ code, data: fromLatin1(s) }),
};

/** A BOOTREPLY skeleton for `req`; the caller adds addresses and options. */
export function replyTo(req: DhcpPacket, type: MessageType, serverIp: string): DhcpPacket {
  return {
    op: BootOp.Reply,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: req.giaddr,
    chaddr: req.chaddr.slice(),
    sname: '',
    file: '',
    options: [opt.u8(OptionCode.MessageType, type), opt.ip(OptionCode.ServerId, serverIp)],
  };
}

/** Puts the boot target into siaddr, the BOOTP file field and options 66/67 (U-Boot and udhcpc read only `file`). */
export function addBoot(reply: DhcpPacket, target: BootTarget, serverIp: string): void {
  switch (target.kind) {
    case 'tftp':
      reply.siaddr = target.server;
      setFile(reply, target.file);
      reply.options.push(opt.text(OptionCode.TftpServerName, target.server));
      return;
    case 'script':
    case 'http':
      reply.siaddr = serverIp;
      setFile(reply, target.url);
      return;
    case 'none':
      return;
  }
}

function setFile(reply: DhcpPacket, name: string): void {
  if (name.length < 128) reply.file = name;
  reply.options.push(opt.text(OptionCode.BootfileName, name));
}

/** Options every netboot reply carries in proxy mode: 60 PXEClient/HTTPClient, 43 discovery control, 97 echoed. */
export function addPxeIdentity(reply: DhcpPacket, client: ClientInfo, req: DhcpPacket): void {
  // UEFI HTTP boot accepts only a reply whose option 60 says HTTPClient (xcat2/xcat-core#7743, smee#210).
  reply.options.push(opt.text(OptionCode.VendorClass, client.httpBoot ? 'HTTPClient' : 'PXEClient'));
  if (!client.httpBoot) reply.options.push({ code: OptionCode.VendorSpecific, data: pxeVendorOptions() });
  const guid = getOption(req, OptionCode.ClientGuid);
  if (guid) reply.options.push({ code: OptionCode.ClientGuid, data: guid });
}

/**
 * PXE spec 2.1 §2.4: discovery control 8 = boot the file named in this packet (no boot-server discovery), plus a
 * one-entry menu and a zero-timeout prompt, which some PXE ROMs insist on (the same three pixiecore sends).
 */
export function pxeVendorOptions(): Uint8Array {
  const label = [...fromLatin1('eveboot')];
  const sub = (code: PxeSubOption, ...bytes: number[]) => [code, bytes.length, ...bytes];
  return Uint8Array.from([
    ...sub(PxeSubOption.DiscoveryControl, PxeDiscovery.BootFileDirect),
    ...sub(PxeSubOption.BootMenu, 0, 0, label.length, ...label), // boot server type 0, description
    ...sub(PxeSubOption.MenuPrompt, 0, ...label), // timeout 0: boot the single entry at once
    OptionCode.End,
  ]);
}

/** RFC 3046 §2.2: a server echoes option 82 unchanged, as the last option. */
export function echoRelayInfo(reply: DhcpPacket, req: DhcpPacket): void {
  const info = getOption(req, OptionCode.RelayAgentInfo);
  if (info) reply.options.push({ code: OptionCode.RelayAgentInfo, data: info });
}

/** RFC 2131 §4.1 "If the 'giaddr' field … is zero and 'ciaddr' is nonzero …" rules, in order. */
export function replyDestination(req: DhcpPacket, reply: DhcpPacket, type: MessageType, mac: string): ReplyDest {
  if (req.giaddr !== ZERO_IP) return { kind: 'relay', ip: req.giaddr };
  if (type === MessageType.Nak) return { kind: 'broadcast' };
  if (req.ciaddr !== ZERO_IP) return { kind: 'client', ip: req.ciaddr };
  if (req.flags & BROADCAST_FLAG || reply.yiaddr === ZERO_IP) return { kind: 'broadcast' };
  return { kind: 'client', ip: reply.yiaddr, mac };
}

export function hostNameOf(req: DhcpPacket): string | undefined {
  return getTextOption(req, OptionCode.HostName);
}
