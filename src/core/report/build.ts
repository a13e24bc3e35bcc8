// Every device's report from the store and the current node views.
import type { ClusterStore, DeviceStore, ReportStore } from '../../ports/store.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import type { NodeView } from '../progress/snapshot.js';
import type { AppView } from '../workloads/model.js';
import { deviceApps } from './device-apps.js';
import { type DeviceReport, deviceReport } from './device-record.js';

/** SMBIOS UUID as EVE reports it (ZInfoManufacturer.UUID), from the latest device info. */
function smbiosUuid(store: ReportStore, uuid: string): string | undefined {
  const r = store.latestReports(uuid).find((x) => x.kind === 'info.ZiDevice');
  if (!r) return undefined;
  const m = /"UUID":"([^"]+)"/.exec(r.json);
  return m?.[1];
}

/** workloads: each cluster's app views, when the site declares workloads; then every row lists its apps. */
export function buildReports(
  store: DeviceStore & ClusterStore & ReportStore,
  nodes: NodeView[],
  station: string,
  workloads?: { cluster: string; apps: AppView[] }[],
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
      ...(workloads?.some((w) => w.cluster === device.cluster)
        ? {
            apps: deviceApps(
              plans.get(device.cluster)?.nodes.find((n) => n.uuid === device.uuid)?.name ?? device.name,
              workloads.filter((w) => w.cluster === device.cluster),
            ),
          }
        : {}),
    }),
  );
}
