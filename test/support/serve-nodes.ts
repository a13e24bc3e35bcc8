// Three simulated EVE nodes brought up against a running `eveboot serve` (a child process): each onboards with
// its own per-medium credential from the appliance CA (as USB media would give it), attests, and sends the port
// and hardware reports planning needs. Tests then poll their configs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { loadPki } from '../../src/adapters/pki.js';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { deviceInfo, hardwareInfo, standardNics } from '../../src/sim/sim-info.js';

export async function onboardedNodes(state: string, server: string, serials: string[]): Promise<SimDevice[]> {
  const rootCaPem = readFileSync(join(state, 'pki', 'root.cert.pem'), 'utf8');
  const sims = serials.map(
    (serial) =>
      new SimDevice({
        server,
        rootCaPem,
        onboarding: () => onboardIssuer(loadPki(join(state, 'pki')).root)({ kind: 'medium', medium: serial }),
        serial,
        softSerial: '',
        tpm: createSoftTpm(),
      }),
  );
  for (const [i, s] of sims.entries()) {
    await s.onboard();
    await s.attest();
    await s.sendInfo(deviceInfo(s.opts.serial, standardNics(i + 1)));
    await s.sendInfo(hardwareInfo(standardNics(i + 1)));
  }
  return sims;
}
