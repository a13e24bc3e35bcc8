import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import type { Tpm } from '../../src/ports/tpm.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import type { TestAppliance } from './appliance.js';

export function simDevice(t: TestAppliance, serial: string, tpm: Tpm = createSoftTpm()): SimDevice {
  const { pki } = t.app;
  return new SimDevice({
    server: t.server,
    rootCaPem: pki.root.certPem,
    onboardCertPem: pki.onboard.certPem,
    onboardKeyPem: pki.onboard.keyPem,
    serial,
    softSerial: `soft-${serial}`,
    tpm,
  });
}
