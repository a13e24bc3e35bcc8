import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import type { Tpm } from '../../src/ports/tpm.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { deviceInfo, hardwareInfo, standardNics, topology } from '../../src/sim/sim-info.js';
import type { TestAppliance } from './appliance.js';

export function simDevice(t: TestAppliance, serial: string, tpm: Tpm = createSoftTpm()): SimDevice {
  const { pki } = t.app;
  return new SimDevice({
    server: t.server,
    rootCaPem: pki.root.certPem,
    // A pre-provisioned medium per simulated node, as `eveboot usb build` mints one.
    onboarding: () => t.app.issueOnboarding({ kind: 'medium', medium: `sim-${serial}` }),
    serial,
    softSerial: `soft-${serial}`,
    tpm,
  });
}

/**
 * Onboards, attests and reports the standard two-port cabling (eth0 site LAN, eth1 cluster switch); `hardware`
 * false for a device leaves out its ZInfoHardware.
 */
export async function onboardFleet(
  t: TestAppliance,
  devices: SimDevice[],
  hardware: (d: SimDevice) => boolean = () => true,
): Promise<void> {
  for (const [i, d] of devices.entries()) {
    await d.onboard();
    await d.attest();
    const nics = standardNics(i + 1);
    t.app.cluster.observe(topology(nics));
    await d.sendInfo(deviceInfo(d.opts.serial, nics));
    if (hardware(d)) await d.sendInfo(hardwareInfo(nics));
  }
}
