// Workload info messages (eve-workloads-facts §6) as stored reports and events: each object's latest message per
// device is kept under statusReportKind(kind, uuid), and an event goes out only when what the operator sees
// changes (state, running flag, error) — not for every progress tick EVE posts (§3.3: once a second).
import { fromJsonString } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import {
  type ErrorInfo,
  type ZInfoMsg,
  ZInfoMsgSchema,
  ZNetworkInstanceState,
  ZSwState,
} from '../../gen/info/info_pb.js';
import type { AppClaim } from './model.js';
import { statusReportKind } from './model.js';
import type { ContentReport } from './status.js';

export type WorkloadKind = 'app' | 'volume' | 'content' | 'network';

export interface WorkloadReport {
  kind: WorkloadKind;
  objectUuid: string;
  /** Store.addReport kind. */
  reportKind: string;
  /** What the operator sees of it; an event goes out when this changes. */
  summary: Record<string, unknown>;
}

const EVENT: Record<WorkloadKind, string> = {
  app: 'workload.app-status',
  volume: 'workload.volume-status',
  content: 'workload.content-status',
  network: 'workload.network-status',
};

export function workloadEventType(kind: WorkloadKind): string {
  return EVENT[kind];
}

const firstError = (errs: (ErrorInfo | undefined)[]) => errs.find((e) => e?.description)?.description;
const sw = (n: number) => ZSwState[n] ?? String(n);

/** The workload object a ZInfoMsg is about, or undefined for other info. */
export function workloadReport(msg: ZInfoMsg): WorkloadReport | undefined {
  const c = msg.InfoContent;
  const make = (kind: WorkloadKind, objectUuid: string, summary: Record<string, unknown>): WorkloadReport => ({
    kind,
    objectUuid,
    reportKind: statusReportKind(kind, objectUuid),
    summary: { uuid: objectUuid, ...summary },
  });
  switch (c.case) {
    case 'ainfo': {
      const a = c.value;
      // An app deletion is a message with only AppID (ZA zedagent.go:2489-2500).
      if (a.state === ZSwState.INVALID && !a.AppName) return make('app', a.AppID, { deleted: true });
      const error = firstError(a.appErr);
      return make('app', a.AppID, {
        name: a.AppName,
        state: sw(a.state),
        running: a.clusterAppRunning,
        ...(error ? { error } : {}),
      });
    }
    case 'vinfo': {
      const error = c.value.volumeErr?.description;
      return make('volume', c.value.uuid, {
        name: c.value.displayName,
        state: sw(c.value.state),
        ...(error ? { error } : {}),
      });
    }
    case 'cinfo': {
      const error = c.value.err?.description;
      return make('content', c.value.uuid, {
        name: c.value.displayName,
        state: sw(c.value.state),
        ...(error ? { error } : {}),
      });
    }
    case 'niinfo': {
      const error = firstError(c.value.networkErr);
      return make('network', c.value.networkID, {
        name: c.value.displayname,
        state: ZNetworkInstanceState[c.value.state] ?? String(c.value.state),
        activated: c.value.activated,
        ...(error ? { error } : {}),
      });
    }
    default:
      return undefined;
  }
}

function parse(json: string): ZInfoMsg | undefined {
  try {
    return fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
  } catch {
    return undefined;
  }
}

/** When EVE stamped it (ZInfoMsg.atTimeStamp), else when we stored it. */
const stamped = (msg: ZInfoMsg, storedAt: number) =>
  msg.atTimeStamp ? Number(timestampMs(msg.atTimeStamp)) : storedAt;

/** A stored `workload.app/<uuid>` report as a claim (§6.1). */
export function claimFromReport(json: string, deviceUuid: string, storedAt: number): AppClaim | undefined {
  const msg = parse(json);
  if (msg?.InfoContent.case !== 'ainfo') return undefined;
  const a = msg.InfoContent.value;
  const error = firstError(a.appErr);
  return {
    appUuid: a.AppID,
    deviceUuid,
    state: a.state,
    clusterAppRunning: a.clusterAppRunning,
    at: stamped(msg, storedAt),
    ...(error ? { error } : {}),
  };
}

/** A stored `workload.content/<uuid>` report: state and progressPercentage (§3.5). */
export function contentFromReport(json: string, deviceUuid: string, storedAt: number): ContentReport | undefined {
  const msg = parse(json);
  if (msg?.InfoContent.case !== 'cinfo') return undefined;
  const t = msg.InfoContent.value;
  return { deviceUuid, contentUuid: t.uuid, state: t.state, percent: t.progressPercentage, at: stamped(msg, storedAt) };
}
