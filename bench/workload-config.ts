// Config build time with workloads (issue #13: 3 nodes × 50 apps under 50 ms). One round is what the controller
// does when all three nodes poll: per node, place the workloads (kept placements), build the object set, build
// the EdgeDevConfig and hash its bytes (core/eve/config.ts configHash). Pure code, no I/O; 200 rounds after a
// warm-up; prints medians and p95. Usage: npx tsx bench/workload-config.ts [apps=50]
import { performance } from 'node:perf_hooks';
import { configHash } from '../src/core/eve/config.js';
import { buildDeviceConfig } from '../src/core/eve/device-config.js';
import { buildWorkloadObjects } from '../src/core/workloads/config-objects.js';
import type { AppSpec, ImageRecord, WorkloadsSpec } from '../src/core/workloads/model.js';
import { WorkloadObjectMemo } from '../src/core/workloads/object-memo.js';
import { emptyWorkloadState, placeWorkloads, type WorkloadNode } from '../src/core/workloads/placement.js';

const appCount = Number(process.argv[2] ?? 50);
const clusterId = '8c1d9c3e-4f57-4c71-9d0e-2a3b4c5d6e7f';
const nodes: WorkloadNode[] = [1, 2, 3].map((i) => ({
  uuid: `${i}${i}${i}${i}${i}${i}${i}${i}-0000-4000-8000-00000000000${i}`,
  name: `edge-${i}`,
  aliases: [],
}));
const hex = (i: number) => i.toString(16).padStart(64, '0');
const images: ImageRecord[] = [];
const apps: AppSpec[] = [];
const volumes: WorkloadsSpec['volumes'] = [];
for (let i = 0; i < appCount; i++) {
  const container = i % 2 === 0;
  images.push({
    name: `img-${i}`,
    sha256: hex(i + 1),
    format: container ? 'oci' : 'qcow2',
    sizeBytes: 1_000_000 + i,
    ...(container ? { tag: 'v1' } : {}),
    importedAt: 0,
  });
  volumes.push({ name: `vol-${i}`, sizeBytes: 1 << 30, replicated: true });
  apps.push({
    name: `app-${i}`,
    kind: container ? 'container' : 'vm',
    image: `img-${i}`,
    vcpus: 1 + (i % 4),
    memoryMiB: 256 * (1 + (i % 8)),
    networks: ['nat', 'lan'],
    volumes: [`vol-${i}`],
    node: 'auto',
    affinity: i % 3 === 0 ? 'required' : 'preferred',
  });
}
const spec: WorkloadsSpec = {
  networks: [
    { name: 'nat', kind: 'local', port: 'uplink', subnet: '10.1.0.0/24' },
    { name: 'lan', kind: 'switch', port: 'eth1' },
  ],
  volumes,
  apps,
};
const catalog = { images: () => images, find: (ref: string) => images.find((x) => x.name === ref) };
const endpoints = { httpFqdn: 'http://192.168.1.2:8080', registryFqdn: 'docker://192.168.1.2:5000' };
const first = placeWorkloads(spec, emptyWorkloadState(), nodes, 1);
if (first.kind !== 'ok') throw new Error(first.reasons.join('; '));

/**
 * One round: the three nodes poll. Each gets its placements, the object set (memo: built once per change, as
 * ClusterService does; naive: rebuilt per node), its EdgeDevConfig and the hash of its bytes.
 */
function round(memo: WorkloadObjectMemo | undefined): string[] {
  return nodes.map((n) => {
    const placed = placeWorkloads(spec, first.kind === 'ok' ? first.state : emptyWorkloadState(), nodes, 2);
    if (placed.kind !== 'ok') throw new Error('held');
    const input = { clusterId, spec, state: placed.state, catalog, endpoints };
    const built = memo ? memo.build(input) : buildWorkloadObjects(input);
    if (built.kind !== 'ok') throw new Error(built.reasons.join('; '));
    const cfg = buildDeviceConfig({
      uuid: n.uuid,
      name: n.name,
      certsHash: 'h',
      version: '2',
      workloads: built.objects,
    });
    return configHash(cfg);
  });
}

function measure(label: string, memoFor: () => WorkloadObjectMemo | undefined): number {
  for (let i = 0; i < 20; i++) round(memoFor());
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const memo = memoFor();
    const t0 = performance.now();
    const hashes = round(memo);
    samples.push(performance.now() - t0);
    if (new Set(hashes).size !== 3) throw new Error('each node must get its own config');
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  const p95 = samples[Math.floor(samples.length * 0.95)]!;
  console.log(`  ${label}: median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms per round of 3 configs`);
  return median;
}

console.log(
  `workload config, 3 nodes × ${appCount} apps (${spec.networks.length} networks, ${volumes.length} volumes):`,
);
const warmMemo = new WorkloadObjectMemo();
const cold = measure('first poll after a change (one object set for the 3 nodes)', () => new WorkloadObjectMemo());
const warm = measure('unchanged polls (object set reused)', () => warmMemo);
const naive = measure('naive baseline (object set rebuilt for every node)', () => undefined);
console.log(
  `  target < 50 ms: ${cold < 50 ? 'met' : 'MISSED'}; naive/first-poll ${(naive / cold).toFixed(1)}×, naive/unchanged ${(naive / warm).toFixed(1)}×`,
);
