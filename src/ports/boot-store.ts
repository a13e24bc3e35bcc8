// What the HTTP-boot side remembers per machine (keyed by the MAC of the NIC it PXE-booted from): the identity
// its iPXE script reported, whether an install is recorded, and the operator's reinstall mark. Four methods;
// the core computes the next record, the adapter only persists it (adapters/sqlite-boot-store.ts).
import type { Conflict } from '../core/boot/claims.js';
import type { ConfigGrant } from '../core/boot/grant.js';

export type LinkState = 'up' | 'down' | 'unknown';

export interface NicReport {
  /** iPXE's name: net0, net1, … */
  name: string;
  mac: string;
  link: LinkState;
}

export interface BootIdentity {
  /** SMBIOS system UUID as iPXE prints `${uuid}`. */
  uuid?: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  /** iPXE `${buildarch}`: x86_64, i386, arm64, … */
  buildarch?: string;
  /** iPXE `${platform}`: efi or pcbios. */
  platform?: string;
  nics: NicReport[];
}

export type InstallSource = 'installer' | 'onboarded' | 'operator' | 'payload-served';

export interface BootMachine {
  /** Boot NIC MAC, lower-case, colon-separated. */
  mac: string;
  identity: BootIdentity;
  /** Last client IP seen for this MAC (report or DHCP lease). */
  ip?: string;
  firstSeen: number;
  lastSeen: number;
  installedAt?: number;
  installedVia?: InstallSource;
  /** Operator asked for a fresh install on the next PXE boot; cleared when the install is recorded. */
  reinstall: boolean;
  /** The last boot decision and its human reason (shown in the UI and the log). */
  lastDecision?: string;
  lastReason?: string;
  /** Image id (`<version>-<arch>`) the last install decision used; root aliases such as /installer.iso follow it. */
  lastImage?: string;
  bootingAt?: number;
  /** installer.iso was served in full after the last install decision (EVE's installer has no callback). */
  payloadServedAt?: number;
  /** The one-time CONFIG grant of the last install decision (core/boot/grant.ts). */
  grant?: ConfigGrant;
  /** An open second-claimant conflict: no install decision until the operator resolves it. */
  conflict?: Conflict;
  /** The operator resolved a conflict for this IP: reports from other IPs conflict again. */
  pinnedIp?: string;
}

export interface BootStore {
  machine(mac: string): BootMachine | undefined;
  machines(): BootMachine[];
  put(m: BootMachine): void;
  /** Forget a machine (unknown machines expire, core/boot/expiry.ts). */
  remove(mac: string): void;
}
