// What devices send (info, metrics, logs, flow logs, hardware health) is stored per device, bounded, and
// turned into events for the progress layer. Nothing here can touch another device: each call is authenticated.
import { gunzipSync } from 'node:zlib';
import { create, fromBinary, fromJsonString, toJsonString } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { type ZInfoDevice, type ZInfoMsg, ZInfoMsgSchema, ZInfoTypes } from '../../gen/info/info_pb.js';
import type { DeviceRecord } from '../../ports/store.js';
import { type Conflict, checkInfoMac } from '../boot/claims.js';
import { EvebootError } from '../errors.js';
import { workloadEventType, workloadReport } from '../workloads/info-reports.js';
import type { Controller, Reply } from './controller.js';
import { decodeOr400 } from './envelope.js';

const MAX_LOG_BYTES = 16 * 1024 * 1024;

export type ReportKind = 'metrics' | 'flowlog' | 'hardwarehealth' | 'newlogs' | 'appnewlogs';

export function info(ctrl: Controller, uuid: string, body: Uint8Array): Reply {
  const { device, payload } = ctrl.authenticate(body, uuid);
  const msg = decodeOr400('ZInfoMsg', () => fromBinary(ZInfoMsgSchema, payload));
  const workload = workloadReport(msg);
  const kind = workload?.reportKind ?? `info.${ZInfoTypes[msg.ztype] ?? msg.ztype}`;
  const json = toJsonString(ZInfoMsgSchema, msg);
  const { store, clock, emit } = ctrl.deps;
  ctrl.noteContact(device);
  // Workload objects: the latest per object per device, an event only when what the operator sees changes.
  const before = workload && store.latestReports(device.uuid).find((r) => r.kind === kind);
  store.addReport({ uuid: device.uuid, kind, at: clock.now(), bytes: payload.length, json });
  if (workload) {
    const was = before ? workloadReport(fromJson(before.json)) : undefined;
    if (JSON.stringify(was?.summary) !== JSON.stringify(workload.summary)) {
      const at = msg.atTimeStamp ? Number(timestampMs(msg.atTimeStamp)) : clock.now();
      emit({ type: workloadEventType(workload.kind), node: device.uuid, data: { ...workload.summary, at } });
    }
    return { status: 201 };
  }
  emit({ type: 'eve.info', node: device.uuid, data: { kind, content: msg.InfoContent.case ?? 'none' } });
  if (msg.InfoContent.case === 'dinfo' && device.bootMac && !device.macVerified && !device.hold) {
    verifyBootMac(ctrl, device, msg.InfoContent.value);
  }
  return { status: 201 };
}

function fromJson(json: string): ZInfoMsg {
  try {
    return fromJsonString(ZInfoMsgSchema, json, { ignoreUnknownFields: true });
  } catch {
    return create(ZInfoMsgSchema);
  }
}

/**
 * The first ZInfoDevice that lists ports must name the MAC that got the install decision (the one the onboarding
 * cert was issued to); otherwise the config is held (no cluster, nothing sealed) and the mismatch is flagged.
 * Ports: systemAdapter.status[].ports[].macAddr (pkg/pillar/cmd/zedagent/handlemetrics.go, as in core/plan/observe).
 */
function verifyBootMac(ctrl: Controller, device: DeviceRecord, dinfo: ZInfoDevice): void {
  const reported = (dinfo.systemAdapter?.status ?? []).flatMap((s) => s.ports.map((p) => p.macAddr)).filter(Boolean);
  if (reported.length === 0) return; // no ports yet (EVE reports them once its DPC is up): wait for one that has
  const { store, clock, emit } = ctrl.deps;
  const check = checkInfoMac({ bootMac: device.bootMac, reported });
  if (check.ok) {
    store.updateDevice(device.uuid, { macVerified: true });
    return;
  }
  const hold: Conflict = {
    kind: 'info-mac',
    subject: device.serial || `soft:${device.softSerial}`,
    claimants: [
      { mac: device.bootMac, serial: device.serial, firstSeen: device.onboardedAt },
      {
        mac: reported.join(','),
        serial: device.serial,
        certFingerprint: device.deviceCertHash,
        firstSeen: clock.now(),
      },
    ],
    raisedAt: clock.now(),
    reason: check.reason,
  };
  store.updateDevice(device.uuid, { hold });
  emit({ type: 'trust.conflict', node: device.uuid, data: { ...hold } });
}

/** Binary reports are kept as size + a short description; logs are gunzipped (bounded) and counted. */
export function report(ctrl: Controller, uuid: string, kind: ReportKind, body: Uint8Array): Reply {
  const { device, payload } = ctrl.authenticate(body, uuid);
  let description: Record<string, unknown> = { bytes: payload.length };
  if (kind === 'newlogs' || kind === 'appnewlogs') description = summariseLogs(payload);
  const { store, clock } = ctrl.deps;
  ctrl.noteContact(device);
  store.addReport({
    uuid: device.uuid,
    kind,
    at: clock.now(),
    bytes: payload.length,
    json: JSON.stringify(description),
  });
  return { status: 201 };
}

function summariseLogs(gz: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = gunzipSync(gz, { maxOutputLength: MAX_LOG_BYTES }).toString('utf8');
  } catch (e) {
    throw new EvebootError(
      'EVEBOOT_ERR_BAD_REQUEST',
      `log bundle is not a gzip stream under 16 MiB: ${(e as Error).message}`,
    );
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return { entries: lines.length, last: lines.slice(-3).map((l) => l.slice(0, 500)) };
}
