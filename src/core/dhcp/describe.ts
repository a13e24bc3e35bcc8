// Human-readable text of a decoded packet: the golden-file format and the "why" view in logs.
import { ipFromBytes } from './address.js';
import { formatGuid, parseUserClass } from './classify.js';
import { BROADCAST_FLAG, clientMac, type DhcpOption, type DhcpPacket, latin1 } from './codec.js';
import {
  ClientArch,
  IpxeFeature,
  MessageType,
  type OptionKind,
  optionTable,
  PxeSubOption,
  RelaySubOption,
} from './options.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
// dnsmasq sends option 67 with a trailing NUL (see the pcap README); show it as text anyway.
const printable = (b: Uint8Array) => {
  const end = b.length - (b.at(-1) === 0 ? 1 : 0);
  return end > 0 && b.subarray(0, end).every((x) => x >= 0x20 && x < 0x7f);
};
const quoted = (b: Uint8Array) => (printable(b) ? JSON.stringify(latin1(b)) : `0x${hex(b)}`);

export function describePacket(p: DhcpPacket): string {
  const lines = [
    `op=${p.op === 1 ? 'BOOTREQUEST' : 'BOOTREPLY'} htype=${p.htype} hlen=${p.hlen} hops=${p.hops}` +
      ` xid=0x${p.xid.toString(16).padStart(8, '0')} secs=${p.secs}` +
      ` flags=0x${p.flags.toString(16).padStart(4, '0')}${p.flags & BROADCAST_FLAG ? ' (broadcast)' : ''}`,
    `ciaddr=${p.ciaddr} yiaddr=${p.yiaddr} siaddr=${p.siaddr} giaddr=${p.giaddr}`,
    `chaddr=${clientMac(p)} sname=${JSON.stringify(p.sname)} file=${JSON.stringify(p.file)}`,
  ];
  for (const o of p.options) lines.push(`  ${describeOption(o)}`);
  return `${lines.join('\n')}\n`;
}

export function describeOption(o: DhcpOption): string {
  const spec = optionTable.get(o.code);
  const where = o.section ? ` [in ${o.section}]` : '';
  const name = spec?.name ?? `option-${o.code}`;
  return `${String(o.code).padStart(3)} ${name}${where}: ${describeValue(spec?.kind ?? 'bytes', o.data)}`;
}

function describeValue(kind: OptionKind, d: Uint8Array): string {
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  switch (kind) {
    case 'ip':
    case 'ips':
      return d.length % 4 === 0 && d.length > 0
        ? Array.from({ length: d.length / 4 }, (_, i) => ipFromBytes(d, i * 4)).join(', ')
        : `invalid 0x${hex(d)}`;
    case 'u8':
      return d.length === 1 ? String(d[0]) : `invalid 0x${hex(d)}`;
    case 'u16':
      return d.length === 2 ? String(view.getUint16(0)) : `invalid 0x${hex(d)}`;
    case 'u32':
      return d.length === 4 ? String(view.getUint32(0)) : `invalid 0x${hex(d)}`;
    case 'text':
      return quoted(d);
    case 'codes':
      return Array.from(d).join(',');
    case 'msgtype':
      return d.length === 1 ? `${(MessageType[d[0]!] ?? 'unknown').toUpperCase()} (${d[0]})` : `invalid 0x${hex(d)}`;
    case 'overload':
      return d.length === 1 ? (['none', 'file', 'sname', 'file+sname'][d[0]!] ?? `invalid ${d[0]}`) : 'invalid';
    case 'clientid':
      return d.length === 7 && d[0] === 1 ? `hw 1 ${hex(d.subarray(1))}` : `0x${hex(d)}`;
    case 'userclass':
      return describeUserClass(d);
    case 'arch':
      return d.length % 2 === 0 && d.length > 0
        ? Array.from({ length: d.length / 2 }, (_, i) => archName(view.getUint16(i * 2))).join(', ')
        : `invalid 0x${hex(d)}`;
    case 'ndi':
      return d.length === 3 ? `type ${d[0]} UNDI ${d[1]}.${d[2]}` : `invalid 0x${hex(d)}`;
    case 'guid':
      return describeGuid(d);
    case 'pxe':
      return describeEncapsulated(d, (c) => PxeSubOption[c]);
    case 'relay':
      return describeEncapsulated(d, (c) => RelaySubOption[c]);
    case 'ipxe':
      return describeEncapsulated(d, (c) => IpxeFeature[c]);
    case 'bytes':
      return `0x${hex(d)}`;
  }
}

function archName(n: number): string {
  const name = ClientArch[n];
  return name ? `${n} (${name})` : String(n);
}

function describeUserClass(d: Uint8Array): string {
  const parsed = parseUserClass(d);
  return `${parsed.rfc3004 ? 'rfc3004' : 'bare'} ${parsed.classes.map((c) => JSON.stringify(c)).join(', ')}`;
}

function describeGuid(d: Uint8Array): string {
  const guid = formatGuid(d);
  return guid ? `type ${d[0]} ${guid}` : `0x${hex(d)}`;
}

/** Sub-options as code:len:value; falls back to hex when the sub-option framing does not add up. */
function describeEncapsulated(d: Uint8Array, nameOf: (code: number) => string | undefined): string {
  const parts: string[] = [];
  let at = 0;
  while (at < d.length) {
    const code = d[at]!;
    if (code === 255) {
      parts.push('end');
      break;
    }
    if (code === 0) {
      at++;
      continue;
    }
    const len = d[at + 1];
    if (len === undefined || at + 2 + len > d.length) return `0x${hex(d)} (bad sub-option framing)`;
    const v = d.subarray(at + 2, at + 2 + len);
    const name = nameOf(code);
    parts.push(`${code}${name ? `(${name})` : ''}=${v.length === 1 ? v[0] : quoted(v)}`);
    at += 2 + len;
  }
  return parts.join(' ');
}
