// Every event the appliance records, as one discriminated union on `type`, with its payload typed. The table in
// docs/factory/events.md is the operator's view of the same list. Parts of the appliance only emit through an
// EventSink; one adapter (adapters/event-log.ts) stores each event, folds progress and cluster state from it, and
// feeds the record log and the live stream. The join token and private keys never go into an event.
import type { Conflict } from '../core/boot/claims.js';
import type { Decision } from '../core/dhcp/decide.js';
import type { Readiness } from '../core/readiness/evaluate.js';
import type { AppMove, AppView } from '../core/workloads/model.js';
import type { NicReport } from './boot-store.js';

/** One event type and its payload; `node` names the device (EVE UUID) or machine the event is about. */
type Ev<T extends string, D> = { type: T; node?: string; data: D };

/** One DHCP packet and what the server did with it (adapters/dhcp-events.ts builds it). */
export interface DhcpPacketEvent {
  type: 'dhcp';
  mac: string;
  /** Client message: DISCOVER, REQUEST, … */
  msgType: string;
  decision: Decision['kind'];
  /** What we sent, when we sent something. */
  reply?: 'OFFER' | 'ACK' | 'NAK';
  reason: string;
  arch: number | undefined;
  firmware: string | undefined;
  ipxe: boolean;
  yiaddr?: string;
  bootFile?: string;
  /** address:port the reply went to (unicast needs the addon's ARP injection; else broadcast). */
  sentTo?: string;
  via: 'dhcp' | 'pxe';
  from: string;
}

export type DhcpEvent =
  | DhcpPacketEvent
  | { type: 'dhcp-malformed'; from: string; reason: string }
  | { type: 'dhcp-warning'; message: string }
  | { type: 'dhcp-error'; message: string };

/** TFTP transfer progress (adapters/tftp-transfer.ts). */
export interface TftpEvent {
  type: 'tftp';
  stage: 'start' | 'progress' | 'finish' | 'abort' | 'refuse';
  /** 'ip:port' of the client (IPv6 as '[ip]:port'). */
  client: string;
  file: string;
  bytes: number;
  total: number;
  done: boolean;
  error?: string;
}

export interface NetworkStatus {
  interface: string;
  address: string;
  /** address/len of the serving interface. */
  cidr: string;
  dhcp: { mode: 'full' | 'proxy' | 'off'; why: string };
  ports: { dhcp?: number; tftp: number; http: number };
  warnings: string[];
}

type Mac = string | null;

export type NetbootEvent =
  | Ev<'network.interface', { interface: string; address: string; why: string }>
  | Ev<'network.ready', NetworkStatus>
  | Ev<'network.warning', { message: string }>
  | { [T in DhcpEvent['type']]: Ev<T, Extract<DhcpEvent, { type: T }>> }[DhcpEvent['type']]
  | Ev<'tftp', TftpEvent>
  | Ev<'tftp.grub-probe', { client: string; file: string }>
  | Ev<'boot.script', { mac: string; ip: string }>
  | Ev<
      'boot.report',
      {
        mac: string;
        ip: string;
        uuid?: string;
        serial?: string;
        buildarch?: string;
        platform?: string;
        nics: NicReport[];
      }
    >
  | Ev<'boot.decision', { mac: string; decision: string; reason: string; image: string | undefined }>
  | Ev<'http.progress', { mac: Mac; ip: string; path: string; bytes: number; total: number }>
  | Ev<'boot.payload-served', { mac: string; path: string }>
  | Ev<'boot.booting', { mac: string; stage: string; image: string | null }>
  | Ev<'boot.installed', { mac: string; image: string | null; serial?: string; server?: string; status?: string }>
  | Ev<'boot.reinstall', { mac: string; reinstall: boolean }>
  | Ev<'boot.config-refused', { ip: string; mac: Mac; reason?: string; what?: string }>
  | Ev<'boot.callback-refused', { mac: string; ip: string; callback: string; reason: string }>
  | Ev<'trust.suspicious', { ip: string; mac: Mac; reason: string }>
  | Ev<'trust.conflict', Conflict>;

export type ControllerEvent =
  | Ev<'eve.registered', { serial: string; softSerial: string; name: string; cluster: string; reason: string }>
  | Ev<'eve.register.refused', { serial: string; softSerial: string; reason: string }>
  | Ev<'eve.reregistered', { serial: string; softSerial: string; previousCert: string; why: string }>
  | Ev<'eve.uuid', { serial: string }>
  | Ev<'eve.attest.certs', { ecdhCertHash: string | undefined }>
  | Ev<'eve.attested', { pcrs: number; signed: boolean; tpm: string }>
  | Ev<'eve.attest.failed', { code: string | undefined; reason: string; tpm: string }>
  | Ev<'eve.attest.escrow', { keys: { keyType: number; bytes: number }[] }>
  | Ev<'eve.attest.escrow.refused', { reason: string }>
  | Ev<
      'eve.config.delivered',
      { hash: string; cluster: boolean; clusterName: string; role: 'seed' | 'joiner' | undefined; clusterIp?: string }
    >
  | Ev<'eve.info', { kind: string; content: string }>
  | WorkloadStatusEvent
  | Ev<'trust.conflict', Conflict>;

/** A node's workload info when what the operator sees changed (core/workloads/info-reports.ts). */
export type WorkloadStatusEvent = Ev<
  'workload.app-status' | 'workload.volume-status' | 'workload.content-status' | 'workload.network-status',
  Record<string, unknown> & { uuid: string; at: number }
>;

export interface PlannedNode {
  uuid: string;
  name: string;
  ip: string;
  role: 'seed' | 'joiner';
}

export type ClusterEvent =
  | Ev<'cluster.created', { id: string; name: string }>
  | Ev<'cluster.plan.status', { cluster: string; status: string }>
  | Ev<
      'cluster.planned',
      {
        cluster: string;
        id: string;
        prefix: string;
        seed: string;
        why: string;
        nodes: PlannedNode[];
        missingEvidence: string[];
      }
    >
  | Ev<'cluster.token.sealed', { ecdhCertHash: string; clusterName: string }>
  | Ev<'k3s.readiness', { cluster: string } & Readiness>
  | Ev<'k3s.seed.reassigned', { cluster: string; seed: string; newSeed?: string; reason: string }>
  | Ev<
      'progress.stalled',
      { key: string; name?: string; step: string; code?: string; what?: string; todo?: string; since: number }
    >
  | Ev<
      'kubeconfig.issued',
      { cluster: string; server: string; clientCertSha256: string; serverCaSha256: string; notAfter: string }
    >;

export type OperatorEvent =
  | Ev<'operator.approve' | 'operator.reject', { serial: string; softSerial: string }>
  | Ev<'operator.override', { cluster: string; seed?: string; interfaces?: Record<string, string>; by: string }>
  | Ev<'operator.reinstall', { serial: string }>
  | Ev<'operator.resolve', { conflict: Conflict; keep: string; outcome: string; mac?: string }>
  | Ev<'operator.escrow.export', { serial: string }>
  | Ev<
      'operator.move',
      { cluster: string; app: string; fromNode: string; toNode: string; outcome: string; reason?: string }
    >;

/** Workload images served by the HTTP datastore and registry, deployment, the apps' views and moves (issue #13). */
export type WorkloadEvent =
  | Ev<
      'workload.image-progress',
      { image: string; sha256: string; ip: string; bytes: number; total: number; percent: number }
    >
  | Ev<'workload.moved', AppMove & { cluster: string; app: string; tookMs: number }>
  | Ev<
      'workload.app-phase',
      { cluster: string; app: string; phase: AppView['phase']; effectiveNode: string | null; detail: string }
    >
  /** The first config with the workloads after Ready: designated node UUID per app and volume. */
  | Ev<'workload.deployed', { cluster: string; apps: Record<string, string>; volumes: Record<string, string> }>
  | Ev<
      'workload.move-requested',
      { cluster: string; app: string; from?: string; to: string; explanation: string; by: string }
    >;

export type ApplianceEvent = NetbootEvent | ControllerEvent | ClusterEvent | OperatorEvent | WorkloadEvent;
export type EventType = ApplianceEvent['type'];

/** An event as the store keeps it: its id (the order) and when it happened. */
export type RecordedEvent = ApplianceEvent & { id: number; at: number };

/** Where parts of the appliance put their events. emit never throws into the caller. */
export interface EventSink {
  emit(e: ApplianceEvent): void;
}

export type Emit = EventSink['emit'];
