// Turns what the store holds (EVE info reports, DHCP/iPXE/simulator sightings) into the planner's NodeNics.
import { fromJsonString } from '@bufbuild/protobuf';
import { ZInfoMsgSchema } from '../../gen/info/info_pb.js';
import type { DeviceRecord, Store } from '../../ports/store.js';
import { mergeInventory, type NicObservation, type NodeNics, normaliseMac } from '../plan/inventory.js';
import { currentPorts, observeNetworkDevices, observePorts } from '../plan/observe.js';

function eveObservations(store: Store, uuid: string): NicObservation[] {
  const obs: NicObservation[] = [];
  for (const r of store.latestReports(uuid)) {
    if (r.kind !== 'info.ZiDevice' && r.kind !== 'info.ZiHardware') continue;
    const msg = fromJsonString(ZInfoMsgSchema, r.json);
    if (msg.InfoContent.case === 'dinfo') obs.push(...observePorts(currentPorts(msg.InfoContent.value)));
    if (msg.InfoContent.case === 'hwinfo')
      obs.push(...observeNetworkDevices(msg.InfoContent.value.inventory?.networkDevices ?? []));
  }
  return obs;
}

/** Each device's NICs: its own EVE reports plus every other sighting of one of its MACs. */
export function nodeInventories(store: Store, devices: DeviceRecord[]): NodeNics[] {
  const others = store.nicObservations().map((j) => JSON.parse(j) as NicObservation);
  return devices.map((d) => {
    const own = eveObservations(store, d.uuid);
    const macs = new Set(own.map((o) => normaliseMac(o.mac)).filter(Boolean));
    const extra = others.filter((o) => macs.has(normaliseMac(o.mac)));
    return {
      uuid: d.uuid,
      serial: d.serial,
      softSerial: d.softSerial,
      name: d.name,
      nics: mergeInventory([...extra, ...own]),
    };
  });
}

export function observationKey(o: NicObservation): string {
  return `${o.source}/${normaliseMac(o.mac) ?? o.mac}/${o.applianceIf ?? ''}`;
}
