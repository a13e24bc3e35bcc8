// Every device's report from the store and the current node views.
import type { ClusterStore, DeviceStore, ReportStore } from '../../ports/store.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import type { NodeView } from '../progress/snapshot.js';
import { type DeviceReport, deviceReport } from './device-record.js';

/** SMBIOS UUID as EVE reports it (ZInfoManufacturer.UUID), from the latest device info. */
function smbiosUuid(store: ReportStore, uuid: string): string | undefined {
  const r = store.latestReports(uuid).find((x) => x.kind === 'info.ZiDevice');
  if (!r) return undefined;
  const m = /"UUID":"([^"]+)"/.exec(r.json);
  return m?.[1];
}

export function buildReports(
  store: DeviceStore & ClusterStore & ReportStore,
  nodes: NodeView[],
  station: string,
): DeviceReport[] {
  const plans = new Map<string, ClusterPlan>();
  for (const c of store.clusters()) if (c.plan) plans.set(c.name, JSON.parse(c.plan) as ClusterPlan);
  return store.devices().map((device) =>
    deviceReport({
      device,
      node: nodes.find((n) => n.uuid === device.uuid),
      plan: plans.get(device.cluster),
      smbiosUuid: smbiosUuid(store, device.uuid),
      station,
    }),
  );
}
