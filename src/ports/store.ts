// The controller's persistent state, behind a small port. SQLite by default (adapters/sqlite-store.ts).
// Secrets (the join token) are stored only as ciphertext produced by the caller.
import type { Conflict } from '../core/boot/claims.js';
import type { WorkloadState } from '../core/workloads/model.js';

export interface DeviceRecord {
  uuid: string;
  serial: string;
  softSerial: string;
  /** Device cert PEM as registered, and hex SHA-256 of its DER (how v2 envelopes name the sender). */
  deviceCertPem: string;
  deviceCertHash: string;
  name: string;
  /** Name of the cluster this device belongs to ('' while unassigned). */
  cluster: string;
  onboardedAt: number;
  ecdhCertPem?: string;
  /** hex of the 16-byte hash the device sent with its ECDH cert. */
  ecdhCertHash?: string;
  attestCertPem?: string;
  /** Endorsement cert as uploaded (type 12). */
  ekCertPem?: string;
  nonce?: string;
  /** hex SHA-256 of the integrity token issued at the last successful quote (the token itself is not kept). */
  integrityToken?: string;
  /** When the device first passed with a TPM-signed quote; from then on an empty quote is refused. */
  quoteVerifiedAt?: number;
  attestedAt?: number;
  lastConfigHash?: string;
  configServedAt?: number;
  /** Last authenticated request from the device (config, info, metrics, logs, attest): it is alive and talking. */
  lastContactAt?: number;
  /** The join token sealed to this device's ECDH cert: base64 CipherContext and CipherBlock (not secret). */
  sealed?: { ecdhCertHash: string; context: string; block: string };
  /** hex SHA-256 of the onboarding cert it registered with (each is good once). */
  onboardCertHash?: string;
  /** The MAC whose install decision issued that onboarding cert (absent for USB media). */
  bootMac?: string;
  /** The first ZInfoDevice listed bootMac (or there is no bootMac): the config may carry the cluster. */
  macVerified?: boolean;
  /** An open conflict: nothing is sealed for this device until the operator resolves it. */
  hold?: Conflict;
  /** Claimant device certs the operator refused in a conflict: they get a plain 409, no new conflict. */
  refusedCerts?: string[];
  /** One new device cert for this serial is accepted: '*' after an operator reinstall mark, or a chosen hash. */
  acceptCert?: string;
  /** Earlier registrations of this serial (reinstalls, resolved conflicts), oldest first. */
  history?: {
    deviceCertHash: string;
    onboardCertHash?: string;
    onboardedAt: number;
    replacedAt: number;
    why: string;
  }[];
  /** The vault key(s) the device escrowed with STORE_KEYS (latest), sealed under the state key. */
  escrow?: EscrowRecord;
}

export interface EscrowRecord {
  at: number;
  /** AttestVolumeKeyType and length of each key, for views that must not carry the keys. */
  keys: { keyType: number; bytes: number }[];
  /** SecretBox ciphertext of the keys (JSON [{keyType, key: base64}]). */
  ciphertext: string;
}

export type MachineDecision = 'pending' | 'approved' | 'rejected';

export interface MachineRecord {
  /** serial, or `soft:<softSerial>` when the hardware serial is empty. */
  key: string;
  serial: string;
  softSerial: string;
  decision: MachineDecision;
  firstSeen: number;
  reason: string;
}

export interface ReportRecord {
  uuid: string;
  kind: string;
  at: number;
  bytes: number;
  /** Decoded JSON where we know the schema, else a short description. */
  json: string;
}

export interface StoredEvent {
  id: number;
  at: number;
  type: string;
  node?: string;
  data: Record<string, unknown>;
}

export interface ClusterRecord {
  id: string;
  name: string;
  /** Join token, encrypted at rest by the caller (AES-256-GCM under the state key). */
  tokenCiphertext: string;
  /** JSON of the current plan (addresses, seed, interfaces), or '' when not planned yet. */
  plan: string;
  state: string;
  updatedAt: number;
  /** Operator overrides made before configs went out (UI/API): seed and per-node interface. */
  overrides?: { seed?: string; interfaces?: Record<string, string> };
  /** Why planning is waiting or failed, for the UI. */
  planStatus?: string;
  /** Set when the first node was served a config with the cluster in it: overrides are closed from then on. */
  configsOut?: boolean;
  /** When every node's ECDH cert and ports were first in: the hardware grace period counts from here. */
  evidenceSince?: number;
  /** Workload placements, deployment time and move history (core/workloads/model.ts). */
  workloads?: WorkloadState;
}

// The port is split by concern so that each consumer names only the parts it uses and a test fakes only those
// (docs/architecture/ports.md). Store, their sum, is what the adapters implement and the composition opens.

/** Registered EVE devices, by UUID, device cert hash and serial. */
export interface DeviceStore {
  deviceByUuid(uuid: string): DeviceRecord | undefined;
  deviceByCertHash(hash: string): DeviceRecord | undefined;
  deviceBySerial(serial: string, softSerial: string): DeviceRecord | undefined;
  devices(): DeviceRecord[];
  insertDevice(d: DeviceRecord): void;
  updateDevice(uuid: string, patch: Partial<Omit<DeviceRecord, 'uuid'>>): void;
}

/** The operator's onboarding decisions for machines the site file does not list. */
export interface MachineStore {
  machine(key: string): MachineRecord | undefined;
  machines(): MachineRecord[];
  putMachine(m: MachineRecord): void;
}

/** What devices report: the latest of each kind per device, with counters. */
export interface ReportStore {
  addReport(r: ReportRecord): void;
  /** Latest report of each kind for a device. */
  latestReports(uuid: string): ReportRecord[];
  reportCounts(uuid: string): Record<string, { count: number; bytes: number }>;
}

/** The appliance's event history, in order. */
export interface EventStore {
  addEvent(e: Omit<StoredEvent, 'id'>): StoredEvent;
  events(sinceId?: number, limit?: number): StoredEvent[];
}

/** NIC sightings that are not EVE info (DHCP, iPXE report, simulator topology), keyed by source+MAC. */
export interface NicObservationStore {
  putNicObservation(key: string, json: string): void;
  nicObservations(): string[];
}

/** Each cluster's record: token ciphertext, plan, overrides, state. */
export interface ClusterStore {
  cluster(name: string): ClusterRecord | undefined;
  clusters(): ClusterRecord[];
  /** Keyed by name. */
  putCluster(c: ClusterRecord): void;
}

export interface Atomic {
  /** Runs fn atomically: all of its writes, to every part, or none. Nested calls roll back alone. */
  tx<T>(fn: () => T): T;
}

export interface Store
  extends DeviceStore,
    MachineStore,
    ReportStore,
    EventStore,
    NicObservationStore,
    ClusterStore,
    Atomic {
  close(): void;
}
