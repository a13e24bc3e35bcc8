// What the decision point takes and gives (decide.ts), shared with the mode it hands off to (full.ts, proxy.ts).
import type { BootConfig } from './boot.js';
import type { ClientInfo } from './classify.js';
import type { DhcpPacket } from './codec.js';
import type { LeaseEffect, LeaseTable, PoolConfig } from './lease.js';
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

export function ignore(reason: string, client: ClientInfo): Decision {
  return { kind: 'ignore', reason, client };
}
