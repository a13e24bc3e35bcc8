// The DHCP client half of a simulated netboot: DISCOVER → OFFER → REQUEST → ACK (RFC 2131 §3.1) as UEFI PXE
// firmware (OVMF) and then iPXE send it. In the loopback rehearsal the server sends every reply to
// 127.0.0.1:<dhcpPort+1>, so all simulated nodes of one process share that one client port: each exchange binds
// it, runs to the ACK and closes it, inside an AsyncLock (`dhcpLock`), and replies are matched by xid + chaddr.
import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { BROADCAST_IP, ipToBytes, ZERO_IP } from '../core/dhcp/address.js';
import {
  BROADCAST_FLAG,
  clientMac,
  type DhcpOption,
  type DhcpPacket,
  decodePacket,
  encodePacket,
  fromLatin1,
  getIpOption,
  getMessageType,
  getTextOption,
} from '../core/dhcp/codec.js';
import { BootOp, ClientArch, MessageType, OptionCode } from '../core/dhcp/options.js';

export interface AsyncLock {
  run<T>(f: () => Promise<T>): Promise<T>;
}

/** FIFO mutex: one DHCP exchange at a time on the shared client port. */
export function createAsyncLock(): AsyncLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(f: () => Promise<T>): Promise<T> {
      const result = tail.then(f, f);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

/** Who is asking: the NIC's UEFI PXE ROM, or iPXE (snponly.efi) once it runs. */
export type DhcpClientKind = 'firmware' | 'ipxe';

export interface DhcpExchange {
  kind: DhcpClientKind;
  mac: string;
  /** SMBIOS UUID, sent as option 97. */
  smbiosUuid: string;
  server: string;
  serverPort: number;
  clientPort: number;
  signal: AbortSignal;
  /** Per-try wait for a reply; RFC 2131 §4.1 says 4 s doubling, the rehearsal uses less. Default 1000 ms. */
  timeoutMs?: number;
  tries?: number;
  /** Client socket address. Default `server` (the loopback rehearsal); 0.0.0.0 on a real NIC with no address yet,
   *  sending to 255.255.255.255 as a PXE ROM does (RFC 2131 §4.1: the client has no address before the ACK). */
  bindAddress?: string;
}

export interface DhcpLease {
  ip: string;
  serverId: string;
  /** siaddr / option 66. */
  nextServer: string;
  /** Option 67 (else the BOOTP file field): a TFTP file name or, for iPXE, the script URL. */
  bootFile: string;
  leaseSeconds: number | undefined;
  /** Option 1, e.g. 255.255.255.0: what the client puts on its NIC with the address. */
  subnetMask: string | undefined;
}

export async function dhcpExchange(o: DhcpExchange): Promise<DhcpLease> {
  const sock = await bindClient(o.bindAddress ?? o.server, o.clientPort);
  if (o.server === BROADCAST_IP) sock.setBroadcast(true);
  try {
    const xid = randomInt(1, 0xffffffff);
    const offer = await ask(sock, o, request(o, xid, MessageType.Discover, []), MessageType.Offer, 'OFFER');
    const serverId = getIpOption(offer, OptionCode.ServerId) ?? o.server;
    const extra = [ipOpt(OptionCode.ServerId, serverId), ipOpt(OptionCode.RequestedAddress, offer.yiaddr)];
    const ack = await ask(sock, o, request(o, xid, MessageType.Request, extra), MessageType.Ack, 'ACK');
    const lease = getOption32(ack, OptionCode.LeaseTime);
    return {
      ip: ack.yiaddr,
      serverId,
      nextServer: getTextOption(ack, OptionCode.TftpServerName) ?? (ack.siaddr !== ZERO_IP ? ack.siaddr : serverId),
      bootFile: getTextOption(ack, OptionCode.BootfileName) ?? ack.file,
      leaseSeconds: lease,
      subnetMask: getIpOption(ack, OptionCode.SubnetMask),
    };
  } finally {
    sock.close();
  }
}

function bindClient(address: string, port: number): Promise<Socket> {
  const sock = createSocket({ type: 'udp4' });
  return new Promise((resolve, reject) => {
    sock.once('error', (e) => {
      sock.close();
      reject(new Error(`DHCP client cannot bind ${address}:${port}: ${e.message}`));
    });
    sock.bind({ address, port, exclusive: true }, () => {
      sock.removeAllListeners('error');
      sock.on('error', () => {});
      resolve(sock);
    });
  });
}

/** Sends `packet` and retransmits it until a reply of type `want` for our xid + chaddr arrives. */
async function ask(sock: Socket, o: DhcpExchange, packet: DhcpPacket, want: MessageType, name: string) {
  const tries = o.tries ?? 4;
  const bytes = encodePacket(packet);
  for (let i = 0; i < tries; i++) {
    if (o.signal.aborted) throw new Error(`DHCP ${o.kind} for ${o.mac}: aborted`);
    sock.send(bytes, o.serverPort, o.server);
    const reply = await waitReply(sock, packet, o.signal, (o.timeoutMs ?? 1000) * 2 ** i);
    if (!reply) continue;
    const type = getMessageType(reply);
    if (type === MessageType.Nak) {
      throw new Error(`DHCP ${o.kind} for ${o.mac}: NAK (${getTextOption(reply, OptionCode.Message) ?? 'no reason'})`);
    }
    if (type === want) return reply;
  }
  throw new Error(
    `DHCP ${o.kind} for ${o.mac}: no ${name} from ${o.server}:${o.serverPort} after ${tries} tries (is the appliance's DHCP server running, and is this MAC allowed?)`,
  );
}

function waitReply(sock: Socket, req: DhcpPacket, signal: AbortSignal, ms: number): Promise<DhcpPacket | undefined> {
  const mac = clientMac(req);
  return new Promise((resolve) => {
    const done = (p: DhcpPacket | undefined) => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      signal.removeEventListener('abort', onAbort);
      resolve(p);
    };
    const onMessage = (buf: Buffer) => {
      const d = decodePacket(buf);
      if (d.kind !== 'packet' || d.packet.op !== BootOp.Reply) return;
      if (d.packet.xid === req.xid && clientMac(d.packet) === mac) done(d.packet);
    };
    const onAbort = () => done(undefined);
    const timer = setTimeout(() => done(undefined), ms);
    sock.on('message', onMessage);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// Option values and order as captured from OVMF 2022.11 and Debian iPXE snponly.efi (test/fixtures/pcap/
// uefi-ipxe-second-dhcp.pcap): OVMF sets the broadcast flag and no 61/77; iPXE adds 77, 175 and 61.
const OVMF_PARAMS = hex('0102030405060c0d0f111216171c28292a2b3233363a3b3c4243618081828384858687');
const IPXE_PARAMS = hex('010306070c0f111a2b3c4243778081828384858687afcb');
// Option 175: iPXE's feature list (code, len, value); 0x13 = HTTP, so it fetches the script itself.
const IPXE_FEATURES = hex('b105011af41000eb03010000170101240101130101110101270101290101150101120101');

function request(o: DhcpExchange, xid: number, type: MessageType, extra: DhcpOption[]): DhcpPacket {
  const macBytes = Uint8Array.from(o.mac.split(':').map((h) => Number.parseInt(h, 16)));
  const chaddr = new Uint8Array(16);
  chaddr.set(macBytes);
  const u8 = (code: number, ...b: number[]): DhcpOption => ({ code, data: Uint8Array.from(b) });
  const text = (code: number, s: string): DhcpOption => ({ code, data: fromLatin1(s) });
  const guid = { code: OptionCode.ClientGuid, data: guidOption(o.smbiosUuid) };
  const arch = u8(OptionCode.ClientArch, 0, ClientArch.UefiX64);
  const options: DhcpOption[] =
    o.kind === 'firmware'
      ? [
          u8(OptionCode.MessageType, type),
          ...(type === MessageType.Request ? extra : []),
          u8(OptionCode.MaxMessageSize, ...(type === MessageType.Request ? [0xff, 0] : [0x05, 0xc0])),
          { code: OptionCode.ParameterList, data: OVMF_PARAMS },
          guid,
          u8(OptionCode.ClientNdi, 1, 3, 0), // UNDI 3.0
          arch,
          // PXE spec 2.1 §2.2: PXEClient:Arch:xxxxx:UNDI:yyyzzz; 00007 = x64 UEFI.
          text(OptionCode.VendorClass, 'PXEClient:Arch:00007:UNDI:003000'),
        ]
      : [
          u8(OptionCode.MessageType, type),
          u8(OptionCode.MaxMessageSize, 0x05, 0xc0),
          arch,
          u8(OptionCode.ClientNdi, 1, 3, 10),
          text(OptionCode.VendorClass, 'PXEClient:Arch:00007:UNDI:003010'),
          text(OptionCode.UserClass, 'iPXE'), // bare, not RFC 3004 framed
          { code: OptionCode.ParameterList, data: IPXE_PARAMS },
          { code: OptionCode.IpxeEncap, data: IPXE_FEATURES },
          { code: OptionCode.ClientId, data: Uint8Array.of(1, ...macBytes) },
          guid,
          ...extra,
        ];
  return {
    op: BootOp.Request,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid,
    secs: 0,
    flags: o.kind === 'firmware' ? BROADCAST_FLAG : 0,
    ciaddr: ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: ZERO_IP,
    chaddr,
    sname: '',
    file: '',
    options,
  };
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** RFC 4578 §2.3 type 0 + the SMBIOS UUID, first three fields little-endian as firmware sends them. */
export function guidOption(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`SMBIOS UUID ${uuid} is not 32 hex digits`);
  const b = Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  const le = [...b.slice(0, 4).reverse(), ...b.slice(4, 6).reverse(), ...b.slice(6, 8).reverse(), ...b.slice(8)];
  return Uint8Array.of(0, ...le);
}

function ipOpt(code: OptionCode, ip: string): DhcpOption {
  return { code, data: ipToBytes(ip) };
}

function getOption32(p: DhcpPacket, code: OptionCode): number | undefined {
  const d = p.options.find((x) => x.code === code)?.data;
  return d?.length === 4 ? ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0 : undefined;
}
