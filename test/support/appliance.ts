// Builds a real appliance in a temporary state dir for tests, with its controller API listening on loopback.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/adapters/logger.js';
import { type Appliance, createAppliance } from '../../src/appliance.js';
import { parseSite } from '../../src/config/site.js';
import type { Clock } from '../../src/ports/clock.js';

export const TEST_SITE = `site: { name: test }
cluster: { name: test-cluster }
nodes:
  - { serial: SN-A, name: node-a }
  - { serial: SN-B, name: node-b }
  - { serial: SN-C }
listen: { advertise: 127.0.0.1 }
`;

export interface TestAppliance {
  app: Appliance;
  server: string;
  stateDir: string;
  logLines: string[];
  stop(): Promise<void>;
}

export async function startTestAppliance(
  opts: { stateDir?: string; site?: string; stateUrl?: string; clock?: Clock } = {},
): Promise<TestAppliance> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'eveboot-test-'));
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const app = await createAppliance({
    stateDir,
    stateUrl: opts.stateUrl,
    site: parseSite(opts.site ?? TEST_SITE),
    logger: createLogger({ level: 'debug', destination: sink }),
    uiAccessToken: 'test-access-token-0123456789',
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await app.controllerApi.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.controllerApi.server.address() as AddressInfo).port;
  return { app, server: `127.0.0.1:${port}`, stateDir, logLines, stop: () => app.close() };
}

/** What the readiness watcher emits once the control plane of a planned cluster is up (all three live). */
export function emitClusterReady(t: TestAppliance, cluster = 'test-cluster'): void {
  const plan = t.app.cluster.plan(cluster)!;
  const uuids = plan.nodes.map((n) => n.uuid);
  t.app.emit({
    type: 'k3s.readiness',
    data: {
      cluster,
      ready: true,
      quorum: '3/3',
      basis: 'probes',
      evidence: ['/db/info lists 3 etcd members'],
      missing: [],
      members: uuids,
      liveMembers: uuids,
      seedInitialised: true,
      nodes: plan.nodes.map((n) => ({
        uuid: n.uuid,
        name: n.name,
        member: true,
        live: true,
        ready: true,
        evidence: [],
      })),
    },
  });
}
