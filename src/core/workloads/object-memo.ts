// The workload object set is the same for every node of a cluster (config-objects.ts), and the same from one
// poll to the next until a placement, the spec, an image or an endpoint changes: build it once per change, not
// once per node and poll. One memo per ClusterService (no module state).
import { buildWorkloadObjects, type WorkloadBuild, type WorkloadConfigInput } from './config-objects.js';

export class WorkloadObjectMemo {
  private readonly last = new Map<string, { key: string; result: WorkloadBuild }>();

  build(input: WorkloadConfigInput): WorkloadBuild {
    const { clusterId, spec, state, catalog, endpoints } = input;
    const images = [...spec.apps.map((a) => a.image), ...spec.volumes.flatMap((v) => (v.image ? [v.image] : []))];
    const key = JSON.stringify([spec, state.apps, state.volumes, images.map((r) => catalog.find(r)), endpoints]);
    const hit = this.last.get(clusterId);
    if (hit?.key === key) return hit.result;
    const result = buildWorkloadObjects(input);
    this.last.set(clusterId, { key, result });
    return result;
  }
}
