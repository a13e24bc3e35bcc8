// The decision point: one decoded packet in, one value out ("reply", "update the lease table", or "ignore, because").
// Pure: time, lease state and the allow-list verdict come in as arguments.
import { classifyClient } from './classify.js';
import type { DecideInput, Decision } from './decision.js';
import { decideFull } from './full.js';
import { BootOp, MessageType } from './options.js';
import { decideProxy } from './proxy.js';

export type { DecideInput, Decision, DhcpConfig, DhcpMode, PolicyVerdict } from './decision.js';

export function decide(input: DecideInput): Decision {
  const p = input.packet;
  if (p.op !== BootOp.Request) return { kind: 'ignore', reason: 'BOOTREPLY from another server (not for us)' };
  const client = classifyClient(p);
  if (client.msgType === undefined)
    return { kind: 'ignore', reason: 'no option 53: plain BOOTP is not served', client };
  if (!MessageType[client.msgType] || client.msgType === MessageType.Offer || client.msgType === MessageType.Ack) {
    return { kind: 'ignore', reason: `message type ${client.msgType} is not a client message`, client };
  }
  if (p.hlen !== 6 || p.htype !== 1)
    return { kind: 'ignore', reason: `hardware type ${p.htype}/${p.hlen} is not Ethernet`, client };
  switch (input.config.mode) {
    case 'full':
      if (!input.leases)
        return { kind: 'ignore', reason: 'full mode without a lease table (configuration error)', client };
      return decideFull({ ...input, leases: input.leases }, client);
    case 'proxy':
      return decideProxy(input, client);
  }
}
