// Typed events from the DHCP server for the progress/UI layer: one per packet, with the human reason.
import type { Decision } from '../core/dhcp/decide.js';
import { MessageType } from '../core/dhcp/options.js';
import type { DhcpEvent, NetbootEvent } from '../ports/events.js';

export type { DhcpEvent };

const typeName = (t: number | undefined) => (t === undefined ? 'NONE' : (MessageType[t]?.toUpperCase() ?? String(t)));

export function decisionEvent(d: Decision, via: 'dhcp' | 'pxe', from: string, sentTo?: string): DhcpEvent {
  const c = d.client;
  const e: DhcpEvent = {
    type: 'dhcp',
    mac: c?.mac ?? '',
    msgType: typeName(c?.msgType),
    decision: d.kind,
    reason: d.reason,
    arch: c?.arch,
    firmware: c?.firmware,
    ipxe: c?.ipxe ?? false,
    via,
    from,
  };
  if (d.kind === 'reply') {
    e.reply = typeName(d.packet.options[0]?.data[0]) as 'OFFER' | 'ACK' | 'NAK';
    if (d.packet.yiaddr !== '0.0.0.0') e.yiaddr = d.packet.yiaddr;
    const file = d.packet.options.find((o) => o.code === 67);
    if (file) e.bootFile = Buffer.from(file.data).toString('latin1');
    if (sentTo) e.sentTo = sentTo;
  }
  return e;
}

/** The appliance event for a DHCP server event: the server's own fields (with their `type`) are the payload. */
export function dhcpApplianceEvent(e: DhcpEvent): NetbootEvent {
  // ports/events.ts pairs each DHCP type with its own payload; TypeScript cannot follow that through the spread.
  return { type: e.type, data: { ...e } } as NetbootEvent;
}
