// One record per device, for the operator's report and the factory line's durable log: who the box is, what it
// became in the cluster, how long each step took, and the result. Built from stored facts and the progress view;
// never carries the token, keys or sealed blobs.

import type { DeviceRecord } from '../../ports/store.js';
import { conflictText } from '../boot/claims.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import type { NodeView } from '../progress/snapshot.js';
import { STEPS, type StepId } from '../progress/steps.js';
import { type DeviceApp, deviceAppsCell } from './device-apps.js';

export interface DeviceReport {
  serial: string;
  softSerial: string;
  macs: string[];
  smbiosUuid: string;
  eveUuid: string;
  deviceName: string;
  deviceCertSha256: string;
  ecdhCertHash: string;
  cluster: string;
  clusterId: string;
  role: string;
  clusterIp: string;
  clusterInterface: string;
  via: string;
  /** Milliseconds each step took ('' when it did not run). */
  timings: Record<StepId, number | ''>;
  startedAt: string;
  finishedAt: string;
  result: 'ready' | 'failed' | 'in-progress';
  problem: string;
  /** Evidence the cluster plan was made without ('' when it had everything). */
  planMissing: string;
  station: string;
  /** Only with `eveboot report --include-escrow`: the vault keys the device escrowed. */
  escrow?: { keyType: string; key: string }[];
  /** When the site declares workloads: the apps that run on this device or are designated to it (issue #13). */
  apps?: DeviceApp[];
}

export interface ReportInput {
  device: DeviceRecord;
  node?: NodeView;
  plan?: ClusterPlan;
  smbiosUuid?: string;
  station: string;
  apps?: DeviceApp[];
}

export function deviceReport(i: ReportInput): DeviceReport {
  const p = i.plan?.nodes.find((n) => n.uuid === i.device.uuid);
  const steps = i.node?.steps ?? [];
  const timings = Object.fromEntries(
    STEPS.map((id) => [id, steps.find((s) => s.id === id)?.durationMs ?? '']),
  ) as DeviceReport['timings'];
  const starts = steps.map((s) => s.startedAt).filter((t): t is number => t !== undefined);
  const ends = steps.map((s) => s.endedAt).filter((t): t is number => t !== undefined);
  const iso = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString());
  const phase = i.node?.phase;
  const result = phase === 'ready' ? 'ready' : phase === 'failed' || phase === 'down' ? 'failed' : 'in-progress';
  return {
    serial: i.device.serial,
    softSerial: i.device.softSerial,
    macs: i.node?.macs ?? [],
    smbiosUuid: i.smbiosUuid ?? '',
    eveUuid: i.device.uuid,
    deviceName: p?.name ?? i.device.name,
    deviceCertSha256: i.device.deviceCertHash,
    ecdhCertHash: i.device.ecdhCertHash ?? '',
    cluster: i.device.cluster,
    clusterId: i.plan?.clusterId ?? '',
    role: p?.role ?? '',
    clusterIp: p?.ipPrefix ?? '',
    clusterInterface: p?.interfaceLabel ?? '',
    via: i.node?.via ?? '',
    timings,
    startedAt: iso(starts.length ? Math.min(...starts) : i.device.onboardedAt),
    finishedAt: result === 'in-progress' ? '' : iso(ends.length ? Math.max(...ends) : undefined),
    result,
    problem: i.device.hold ? conflictText(i.device.hold) : problemText(i.node?.problem),
    planMissing: (i.plan?.missingEvidence ?? []).join('; '),
    station: i.station,
    ...(i.apps ? { apps: i.apps } : {}),
  };
}

/** A named problem leads with its name, as in the UI and the `progress.stalled` event. */
function problemText(p: NodeView['problem']): string {
  if (!p) return '';
  return `${p.code ? `${p.code}: ` : ''}${p.what} — ${p.todo}`;
}

const COLUMNS: (keyof DeviceReport)[] = [
  'serial',
  'softSerial',
  'macs',
  'smbiosUuid',
  'eveUuid',
  'deviceName',
  'deviceCertSha256',
  'ecdhCertHash',
  'cluster',
  'clusterId',
  'role',
  'clusterIp',
  'clusterInterface',
  'via',
  'startedAt',
  'finishedAt',
  'result',
  'problem',
  'planMissing',
  'station',
];

/** Columns a ready device may leave empty: network-boot facts (a USB install has none), timestamps and problems. */
const OPTIONAL = new Set<keyof DeviceReport>([
  'softSerial',
  'macs',
  'smbiosUuid',
  'via',
  'finishedAt',
  'problem',
  'planMissing',
]);

/** The fields a finished (ready) device's record must have filled in: identity, cluster role and address. */
export const REQUIRED_FIELDS: (keyof DeviceReport)[] = COLUMNS.filter((c) => !OPTIONAL.has(c));

function cell(v: unknown): string {
  const s = Array.isArray(v) ? v.join(' ') : String(v ?? '');
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV: a header line, then one line per device; step timings as ms_<step> columns. */
export function reportCsv(rows: DeviceReport[]): string {
  const withEscrow = rows.some((r) => r.escrow !== undefined);
  const withApps = rows.some((r) => r.apps !== undefined);
  const appsCell = (r: DeviceReport) => (withApps ? [cell(deviceAppsCell(r.apps ?? []))] : []);
  const escrowCell = (r: DeviceReport) =>
    withEscrow ? [cell((r.escrow ?? []).map((k) => `${k.keyType}:${k.key}`))] : [];
  const header = [
    ...COLUMNS,
    ...STEPS.map((s) => `ms_${s}`),
    ...(withApps ? ['apps'] : []),
    ...(withEscrow ? ['escrow'] : []),
  ];
  const lines = rows.map((r) =>
    [...COLUMNS.map((c) => cell(r[c])), ...STEPS.map((s) => cell(r.timings[s])), ...appsCell(r), ...escrowCell(r)].join(
      ',',
    ),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
