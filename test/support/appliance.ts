// Builds a real appliance (src/compose.ts) in a temporary state dir for tests, with its controller API listening
// on loopback. Network boot only when asked (netboot, then app.netboot.start()); a test that drives a boot API of
// its own gives the appliance a boot side with bootStub.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { BootMachines } from '../../src/adapters/boot-machines.js';
import { createLogger } from '../../src/adapters/logger.js';
import type { NetbootOptions } from '../../src/adapters/network-survey.js';
import { type Appliance, compose } from '../../src/compose.js';
import { parseSite } from '../../src/config/site.js';
import { EvebootError } from '../../src/core/errors.js';
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
  opts: {
    stateDir?: string;
    site?: string;
    stateUrl?: string;
    clock?: Clock;
    bootMachines?: BootMachines;
    netboot?: NetbootOptions;
  } = {},
): Promise<TestAppliance> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'eveboot-test-'));
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const app = await compose({
    stateDir,
    stateUrl: opts.stateUrl,
    site: parseSite(opts.site ?? TEST_SITE),
    logger: createLogger({ level: 'debug', destination: sink }),
    uiAccessToken: 'test-access-token-0123456789',
    ...(opts.clock ? { clock: opts.clock } : {}),
    bootMachines: opts.bootMachines,
    netboot: opts.netboot,
  });
  await app.controllerApi.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.controllerApi.server.address() as AddressInfo).port;
  return { app, server: `127.0.0.1:${port}`, stateDir, logLines, stop: () => app.close() };
}

/** A boot side for an appliance without network boot: no grants, no conflicts, and a reinstall refused as serve
 *  refuses it; a test replaces the parts it drives. */
export function bootStub(parts: Partial<BootMachines> = {}): BootMachines {
  const notRunning = () => {
    throw new EvebootError('EVEBOOT_ERR_CONFLICT', 'network boot is not running on this appliance');
  };
  return {
    onboardGrant: () => undefined,
    conflicts: () => [],
    resolve: notRunning,
    markReinstall: notRunning,
    ...parts,
  };
}
