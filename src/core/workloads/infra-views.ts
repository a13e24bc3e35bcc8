// Networks and volumes as the operator sees them (issue #13): every node creates every network instance and
// reports it (ZInfoNetworkInstance, eve-workloads-facts §6.4), so a network shows one state per node; a volume is
// created only by its designated node, and only that node's ZInfoVolume reflects the real PVC (§4.1, §6.2), so a
// volume shows that report alone. Pure: the caller reads the stored reports.
import type { NetworkView, VolumeView } from '../../ports/workloads-view.js';
import { type WorkloadState, type WorkloadsSpec, workloadUuid } from './model.js';

/** The operator-facing part of one stored workload info report. */
export interface ObjectReport {
  deviceUuid: string;
  objectUuid: string;
  /** State name as EVE sent it (ZNetworkInstanceState or ZSwState). */
  state?: string;
  error?: string;
  percent?: number;
}

export interface InfraInput {
  clusterId: string;
  spec: WorkloadsSpec;
  state?: WorkloadState;
  nodes: { uuid: string; name: string }[];
  networkReports: ObjectReport[];
  volumeReports: ObjectReport[];
}

export function networkViews(i: InfraInput): NetworkView[] {
  return i.spec.networks.map((n) => {
    const uuid = workloadUuid(i.clusterId, 'network', n.name);
    return {
      name: n.name,
      uuid,
      kind: n.kind,
      port: n.port,
      ...(n.subnet ? { subnet: n.subnet } : {}),
      nodes: i.nodes.map((node) => {
        const r = i.networkReports.find((x) => x.objectUuid === uuid && x.deviceUuid === node.uuid);
        return { node: node.name, ...(r?.state ? { state: r.state } : {}), ...(r?.error ? { error: r.error } : {}) };
      }),
    };
  });
}

export function volumeViews(i: InfraInput): VolumeView[] {
  return i.spec.volumes.map((v) => {
    const uuid = workloadUuid(i.clusterId, 'volume', v.name);
    const nodeUuid = i.state?.volumes[v.name]?.nodeUuid;
    const node = i.nodes.find((n) => n.uuid === nodeUuid || (!nodeUuid && n.name === v.node));
    const r = node && i.volumeReports.find((x) => x.objectUuid === uuid && x.deviceUuid === node.uuid);
    return {
      name: v.name,
      uuid,
      replicated: v.replicated,
      designatedNode: node?.name ?? v.node ?? 'not placed yet',
      ...(r?.state ? { state: r.state } : {}),
      ...(typeof r?.percent === 'number' ? { progressPercent: r.percent } : {}),
      ...(r?.error ? { error: r.error } : {}),
    };
  });
}
