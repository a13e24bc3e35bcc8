// The attacker's own programs, run inside its network namespace (`ip netns exec`) by boot-lan.test.ts: whatever
// it sends leaves from its own port on the site LAN. One JSON line on stdout per run.
//   dhcp MAC                                        a DHCP exchange as a PXE ROM, claiming MAC (any MAC it likes)
//   onboard SERVER ROOT_PEM SERIAL CERT_PEM KEY_PEM  EVE's register with that onboarding credential
import { readFileSync } from 'node:fs';
import { createSoftTpm } from '../../src/adapters/soft-tpm.js';
import { BROADCAST_IP } from '../../src/core/dhcp/address.js';
import { dhcpExchange } from '../../src/sim/dhcp-client.js';
import { SimDevice } from '../../src/sim/eve-device.js';
import { simSmbiosUuid } from '../../src/sim/sim-firmware.js';

const [cmd, ...a] = process.argv.slice(2);
const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function run(): Promise<unknown> {
  if (cmd === 'dhcp') {
    const lease = await dhcpExchange({
      kind: 'firmware',
      mac: a[0]!,
      smbiosUuid: simSmbiosUuid('evil'),
      server: BROADCAST_IP,
      serverPort: 67,
      clientPort: 68,
      bindAddress: '0.0.0.0',
      signal: AbortSignal.timeout(15_000),
    });
    return { lease };
  }
  if (cmd === 'onboard') {
    const [server, root, serial, cert, key] = a as [string, string, string, string, string];
    const device = new SimDevice({
      server,
      rootCaPem: readFileSync(root, 'utf8'),
      onboardCertPem: readFileSync(cert, 'utf8'),
      onboardKeyPem: readFileSync(key, 'utf8'),
      serial,
      softSerial: '',
      tpm: createSoftTpm(),
    });
    return device.onboard().then(
      () => ({ registered: true, uuid: device.uuid }),
      (e: Error) => ({ registered: false, error: e.message }),
    );
  }
  throw new Error(`unknown command ${cmd}`);
}

run().then(print, (e: Error) => {
  print({ error: e.message });
  process.exitCode = 1;
});
