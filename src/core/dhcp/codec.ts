// BOOTP/DHCP wire format: RFC 951 §3 fixed header, RFC 2131 §2 magic cookie + options, RFC 2132 §9.3 overload,
// RFC 3396 long options (kept as separate entries here; readers concatenate them).
import { ipFromBytes, ipToBytes, macToString } from './address.js';
import { BootOp, OptionCode, Overload } from './options.js';

export type OptionSection = 'options' | 'file' | 'sname';

export interface DhcpOption {
  code: number;
  data: Uint8Array;
  /** Where the option was carried; 'file'/'sname' only with option 52 overload. */
  section?: OptionSection;
}

export interface DhcpPacket {
  op: BootOp;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The 16-byte chaddr field. */
  chaddr: Uint8Array;
  sname: string;
  file: string;
  options: DhcpOption[];
}

export type DecodeResult = { kind: 'packet'; packet: DhcpPacket } | { kind: 'malformed'; reason: string };

export const BROADCAST_FLAG = 0x8000; // RFC 2131 §2 figure 2
export const BOOTP_MIN_SIZE = 300; // RFC 951 §3: 64-byte vend area → 300 bytes
const HEADER_SIZE = 236;
const COOKIE = [99, 130, 83, 99]; // RFC 2131 §3
const SNAME_AT = 44;
const FILE_AT = 108;

export function decodePacket(buf: Uint8Array): DecodeResult {
  if (buf.length < HEADER_SIZE + 4) return malformed(`truncated: ${buf.length} bytes, a DHCP packet has at least 240`);
  if (COOKIE.some((c, i) => buf[HEADER_SIZE + i] !== c)) return malformed('no DHCP magic cookie (plain BOOTP?)');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const op = buf[0]!;
  if (op !== BootOp.Request && op !== BootOp.Reply) return malformed(`op ${op} is neither BOOTREQUEST nor BOOTREPLY`);
  const options: DhcpOption[] = [];
  const main = readOptions(buf, HEADER_SIZE + 4, buf.length, 'options', options);
  if (main) return malformed(main);
  const overload = options.find((o) => o.code === OptionCode.Overload)?.data[0] ?? 0;
  // RFC 2132 §9.3: the file field is read before sname.
  if (overload & Overload.File) {
    const err = readOptions(buf, FILE_AT, FILE_AT + 128, 'file', options);
    if (err) return malformed(`in overloaded file field: ${err}`);
  }
  if (overload & Overload.Sname) {
    const err = readOptions(buf, SNAME_AT, SNAME_AT + 64, 'sname', options);
    if (err) return malformed(`in overloaded sname field: ${err}`);
  }
  const packet: DhcpPacket = {
    op,
    htype: buf[1]!,
    hlen: buf[2]!,
    hops: buf[3]!,
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    flags: view.getUint16(10),
    ciaddr: ipFromBytes(buf, 12),
    yiaddr: ipFromBytes(buf, 16),
    siaddr: ipFromBytes(buf, 20),
    giaddr: ipFromBytes(buf, 24),
    chaddr: buf.slice(28, 44),
    sname: overload & Overload.Sname ? '' : cString(buf.subarray(SNAME_AT, SNAME_AT + 64)),
    file: overload & Overload.File ? '' : cString(buf.subarray(FILE_AT, FILE_AT + 128)),
    options,
  };
  return { kind: 'packet', packet };
}

function malformed(reason: string): DecodeResult {
  return { kind: 'malformed', reason };
}

/** Reads code/length/value triplets until End; returns an error text or undefined. */
function readOptions(buf: Uint8Array, from: number, to: number, section: OptionSection, out: DhcpOption[]) {
  let at = from;
  while (at < to) {
    const code = buf[at]!;
    if (code === OptionCode.End) return undefined;
    if (code === OptionCode.Pad) {
      at++;
      continue;
    }
    if (at + 1 >= to) return `option ${code} at byte ${at} has no length byte`;
    const len = buf[at + 1]!;
    if (at + 2 + len > to) return `option ${code} at byte ${at} claims ${len} bytes, only ${to - at - 2} left`;
    const opt: DhcpOption = { code, data: buf.slice(at + 2, at + 2 + len) };
    if (section !== 'options') opt.section = section;
    out.push(opt);
    at += 2 + len;
  }
  // RFC 2131 §4.1 requires End, but many stacks truncate right after the last option; accept that in the main area.
  return undefined;
}

function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return latin1(b.subarray(0, nul < 0 ? b.length : nul));
}

export function latin1(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

export function fromLatin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** Encodes a packet; long option values are split per RFC 3396. Output is padded to `minSize` bytes. */
export function encodePacket(p: DhcpPacket, minSize = BOOTP_MIN_SIZE): Uint8Array {
  const sections: Record<OptionSection, number[]> = { options: [], file: [], sname: [] };
  for (const o of p.options) {
    const dst = sections[o.section ?? 'options'];
    for (let at = 0; at === 0 || at < o.data.length; at += 255) {
      const chunk = o.data.subarray(at, at + 255);
      dst.push(o.code, chunk.length, ...chunk);
    }
  }
  const size = Math.max(minSize, HEADER_SIZE + 4 + sections.options.length + 1);
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  buf[0] = p.op;
  buf[1] = p.htype;
  buf[2] = p.hlen;
  buf[3] = p.hops;
  view.setUint32(4, p.xid >>> 0);
  view.setUint16(8, p.secs);
  view.setUint16(10, p.flags);
  buf.set(ipToBytes(p.ciaddr), 12);
  buf.set(ipToBytes(p.yiaddr), 16);
  buf.set(ipToBytes(p.siaddr), 20);
  buf.set(ipToBytes(p.giaddr), 24);
  buf.set(p.chaddr.subarray(0, 16), 28);
  writeField(
    buf,
    SNAME_AT,
    64,
    sections.sname.length ? sections.sname : [...fromLatin1(p.sname)],
    sections.sname.length > 0,
  );
  writeField(
    buf,
    FILE_AT,
    128,
    sections.file.length ? sections.file : [...fromLatin1(p.file)],
    sections.file.length > 0,
  );
  buf.set(COOKIE, HEADER_SIZE);
  buf.set(sections.options, HEADER_SIZE + 4);
  buf[HEADER_SIZE + 4 + sections.options.length] = OptionCode.End;
  return buf;
}

function writeField(buf: Uint8Array, at: number, size: number, bytes: number[], withEnd: boolean) {
  const room = withEnd ? size - 1 : size;
  buf.set(bytes.slice(0, room), at);
  if (withEnd && bytes.length < size) buf[at + bytes.length] = OptionCode.End;
}

/** The client hardware address as a MAC string (Ethernet: htype 1, hlen 6). */
export function clientMac(p: DhcpPacket): string {
  return macToString(p.chaddr.subarray(0, Math.min(p.hlen || 6, 16)));
}

/** All bytes of one option, concatenating split instances (RFC 3396 §5); undefined when absent. */
export function getOption(p: DhcpPacket, code: number): Uint8Array | undefined {
  const parts = p.options.filter((o) => o.code === code);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0]!.data;
  const out = new Uint8Array(parts.reduce((n, o) => n + o.data.length, 0));
  let at = 0;
  for (const o of parts) {
    out.set(o.data, at);
    at += o.data.length;
  }
  return out;
}

export function getMessageType(p: DhcpPacket): number | undefined {
  const v = getOption(p, OptionCode.MessageType);
  return v?.length === 1 ? v[0] : undefined;
}

export function getIpOption(p: DhcpPacket, code: number): string | undefined {
  const v = getOption(p, code);
  return v?.length === 4 ? ipFromBytes(v) : undefined;
}

export function getTextOption(p: DhcpPacket, code: number): string | undefined {
  const v = getOption(p, code);
  return v ? latin1(v) : undefined;
}
