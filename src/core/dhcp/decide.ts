// The decision point: one decoded packet in, one value out ("reply", "update the lease table", or "ignore, because").
// Pure: time, lease state and the allow-list verdict come in as arguments.
import type { BootConfig } from './boot.js';
import { type ClientInfo, classifyClient } from './classify.js';
import type { DhcpPacket } from './codec.js';
import { decideFull } from './full.js';
import type { LeaseEffect, LeaseTable, PoolConfig } from './lease.js';
import { BootOp, MessageType } from './options.js';
import { decideProxy } from './proxy.js';
import type { ReplyDest } from './reply.js';

export type DhcpMode = 'full' | 'proxy';

export interface DhcpConfig {
  mode: DhcpMode;
  /** Our address on the serving segment: option 54 server identifier, next-server. */
  serverIp: string;
  boot: BootConfig;
  /** Required in full mode. */
  pool?: PoolConfig;
}

/** Whether this machine may be netbooted (from the site file / allow-list), with the reason shown to the operator. */
export interface PolicyVerdict {
  allowed: boolean;
  reason: string;
}

export interface DecideInput {
  packet: DhcpPacket;
  /** 'pxe' when it arrived on UDP 4011 (PXE boot server port), 'dhcp' on 67. */
  via: 'dhcp' | 'pxe';
  config: DhcpConfig;
  /** Required in full mode; read only here. */
  leases?: LeaseTable;
  policy: PolicyVerdict;
  /** ms since epoch. */
  now: number;
}

export type Decision =
  | { kind: 'reply'; packet: DhcpPacket; dest: ReplyDest; reason: string; effects: LeaseEffect[]; client: ClientInfo }
  | { kind: 'update'; reason: string; effects: LeaseEffect[]; client: ClientInfo }
  | { kind: 'ignore'; reason: string; client?: ClientInfo };

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

export function ignore(reason: string, client: ClientInfo): Decision {
  return { kind: 'ignore', reason, client };
}
