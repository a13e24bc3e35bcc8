// The object set is built once per change and shared by every node and poll; any input change rebuilds it.
import { describe, expect, it } from 'vitest';
import type { WorkloadConfigInput } from '../../../src/core/workloads/config-objects.js';
import { WorkloadObjectMemo } from '../../../src/core/workloads/object-memo.js';
import { emptyWorkloadState, placeWorkloads } from '../../../src/core/workloads/placement.js';
import { CLUSTER_ID, catalogOf, ENDPOINTS, IMAGES, NODES, SPEC } from './three-node-site.js';

const placed = placeWorkloads(SPEC, emptyWorkloadState(), NODES, 1);
if (placed.kind !== 'ok') throw new Error('held');
const base: WorkloadConfigInput = {
  clusterId: CLUSTER_ID,
  spec: SPEC,
  state: placed.state,
  catalog: catalogOf(IMAGES),
  endpoints: ENDPOINTS,
};

describe('WorkloadObjectMemo', () => {
  const cases: { name: string; input: WorkloadConfigInput; want: 'same' | 'rebuilt' }[] = [
    { name: 'the same inputs (another node, the next poll) reuse the set', input: { ...base }, want: 'same' },
    {
      name: 'a moved app rebuilds it',
      input: {
        ...base,
        state: {
          ...base.state,
          apps: { ...base.state.apps, plc: { nodeUuid: NODES[1]!.uuid, since: 2, reason: 'manual' } },
        },
      },
      want: 'rebuilt',
    },
    {
      name: 'a re-imported image (new digest) rebuilds it',
      input: { ...base, catalog: catalogOf([IMAGES[0]!, { ...IMAGES[1]!, sha256: 'f'.repeat(64) }]) },
      want: 'rebuilt',
    },
    {
      name: 'another registry endpoint rebuilds it',
      input: { ...base, endpoints: { ...ENDPOINTS, registryFqdn: 'docker://10.0.0.9:5000' } },
      want: 'rebuilt',
    },
    {
      name: 'an edited spec rebuilds it',
      input: { ...base, spec: { ...SPEC, apps: [SPEC.apps[0]!] } },
      want: 'rebuilt',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const memo = new WorkloadObjectMemo();
      const first = memo.build(base);
      expect(memo.build(c.input) === first ? 'same' : 'rebuilt').toBe(c.want);
    });
  }
});
