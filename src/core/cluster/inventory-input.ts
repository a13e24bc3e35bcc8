// Turns what the store holds (EVE info reports, DHCP/iPXE/simulator sightings) into the planner's evidence.
import { fromJsonString } from '@bufbuild/protobuf';
import type { ClusterSpec } from '../../config/site.js';
import { ZInfoMsgSchema } from '../../gen/info/info_pb.js';
import type { DeviceRecord, NicObservationStore, ReportStore } from '../../ports/store.js';

type EvidenceStore = ReportStore & NicObservationStore;

import { type NodeEvidence, nodeNics, type PlanEvidence } from '../plan/evidence.js';
import { type NicObservation, type NodeNics, normaliseMac } from '../plan/inventory.js';
import { currentPorts, observeNetworkDevices, observePorts } from '../plan/observe.js';

function eveEvidence(store: ReportStore, uuid: string): Pick<NodeEvidence, 'ports' | 'hardware'> {
  const out: Pick<NodeEvidence, 'ports' | 'hardware'> = {};
  for (const r of store.latestReports(uuid)) {
    if (r.kind !== 'info.ZiDevice' && r.kind !== 'info.ZiHardware') continue;
    const msg = fromJsonString(ZInfoMsgSchema, r.json);
    if (msg.InfoContent.case === 'dinfo') out.ports = observePorts(currentPorts(msg.InfoContent.value));
    if (msg.InfoContent.case === 'hwinfo')
      out.hardware = observeNetworkDevices(msg.InfoContent.value.inventory?.networkDevices ?? []);
  }
  return out;
}

/** The site file's name for a device, matched by serial or soft serial. */
function wantedName(spec: ClusterSpec | undefined, d: DeviceRecord): string | undefined {
  const n = spec?.nodes.find(
    (x) => (x.serial && x.serial === d.serial) || (x.softSerial && x.softSerial === d.softSerial),
  );
  return n?.name;
}

export function planEvidence(store: EvidenceStore, devices: DeviceRecord[], spec?: ClusterSpec): PlanEvidence {
  const sightings: Record<string, NicObservation> = {};
  for (const j of store.nicObservations()) {
    const o = JSON.parse(j) as NicObservation;
    sightings[observationKey(o)] = o;
  }
  return {
    nodes: devices.map((d) => ({
      uuid: d.uuid,
      serial: d.serial,
      softSerial: d.softSerial,
      wantedName: wantedName(spec, d),
      ecdh: !!d.ecdhCertHash,
      ...eveEvidence(store, d.uuid),
    })),
    sightings,
  };
}

/** Each device's NICs as the planner sees them (also what the operator API shows). */
export function nodeInventories(store: EvidenceStore, devices: DeviceRecord[], spec?: ClusterSpec): NodeNics[] {
  return nodeNics(planEvidence(store, devices, spec));
}

export function observationKey(o: NicObservation): string {
  return `${o.source}/${normaliseMac(o.mac) ?? o.mac}/${o.applianceIf ?? ''}`;
}
