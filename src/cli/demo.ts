// eveboot demo: the whole simulated site on this one machine without root: the appliance on loopback high
// ports and three simulated EVE nodes that go through the real protocols.
import { createSoftTpm } from '../adapters/soft-tpm.js';
import { SimDevice } from '../sim/eve-device.js';
import { standardNics, topology } from '../sim/sim-info.js';
import { runSimNode } from '../sim/sim-node.js';
import { parse } from './args.js';
import { type Running, serve } from './serve.js';

const USAGE = 'usage: eveboot demo [--state DIR] [--nodes N]';

export async function demo(
  argv: string[],
  out: (s: string) => void,
): Promise<{ running: Running; stop: () => Promise<void> }> {
  const { values } = parse(
    argv,
    { state: { type: 'string', default: 'eveboot-demo-state' }, nodes: { type: 'string', default: '3' } },
    USAGE,
  );
  const running = await serve(['--state', values.state], out);
  const { pki } = running.appliance;
  const server = `127.0.0.1:${running.site.listen.controllerPort}`;
  const abort = new AbortController();
  const n = Number(values.nodes);
  const nodes = running.site.nodes.slice(0, n).map((node, i) => {
    const device = new SimDevice({
      server,
      rootCaPem: pki.root.certPem,
      onboardCertPem: pki.onboard.certPem,
      onboardKeyPem: pki.onboard.keyPem,
      serial: node.serial ?? '',
      softSerial: node.softSerial ?? '',
      tpm: createSoftTpm(),
    });
    const nics = standardNics(i + 1);
    running.appliance.cluster.observe(topology(nics));
    return runSimNode(
      {
        device,
        nics,
        pollMs: 2000,
        log: (m) => out(`[sim ${node.name ?? node.serial}] ${m}`),
      },
      abort.signal,
    );
  });
  out(`demo: ${nodes.length} simulated EVE nodes started`);
  return {
    running,
    stop: async () => {
      abort.abort();
      await Promise.allSettled(nodes);
      await running.stop();
    },
  };
}
