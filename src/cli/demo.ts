// eveboot demo: a whole simulated site on this one machine without root. The appliance listens on loopback high
// ports; simulated EVE nodes onboard over the real API, get their sealed token, and run a K3s stand-in whose
// cluster IPs map to loopback ports, so the readiness watcher probes them for real. --nodes 6 makes two clusters
// (a line manifest); --fail seed|node2|cable rehearses the failure stories.
import { createSoftTpm } from '../adapters/soft-tpm.js';
import { parseSite } from '../config/site.js';
import { SimDevice } from '../sim/eve-device.js';
import { K3sFleet, LoopbackMap } from '../sim/k3s-fleet.js';
import { standardNics, topology } from '../sim/sim-info.js';
import { runSimNode } from '../sim/sim-node.js';
import { parse, UsageError } from './args.js';
import { type Running, serve } from './serve.js';

const USAGE =
  'usage: eveboot demo [--state DIR] [--nodes N] [--fail seed|node2|cable] [--poll-ms MS] [--port-base P] [--headless]';

export type DemoFailure = 'seed' | 'node2' | 'cable';

/** The demo site: N nodes in clusters of three, each cluster in its own /28. */
export function demoSiteYaml(nodes: number, failure?: DemoFailure, base = 18000): string {
  const clusters = Math.max(1, Math.ceil(nodes / 3));
  const lines = [`site: { name: demo }`, 'clusters:'];
  for (let c = 0; c < clusters; c++) {
    const members = Array.from({ length: Math.min(3, nodes - c * 3) }, (_, i) => c * 3 + i + 1).map(
      (n) => `{ serial: DEMO-${String(n).padStart(4, '0')}, name: edge-${n} }`,
    );
    const timeout = failure === 'seed' ? ', seedTimeoutSeconds: 10' : '';
    lines.push(`  - { name: demo-${c + 1}, prefix: 10.244.${244 + c}.0/28${timeout}, nodes: [${members.join(', ')}] }`);
  }
  lines.push('onboarding: { policy: allowlist }');
  lines.push(
    `listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: ${base + 443}, httpPort: ${base + 80}, tftpPort: ${base + 69}, dhcpPort: ${base + 67}, uiPort: ${base + 88} }`,
  );
  return `${lines.join('\n')}\n`;
}

export interface Demo {
  running: Running;
  stop(): Promise<void>;
}

export async function demo(argv: string[], out: (s: string) => void): Promise<Demo> {
  const opts = {
    state: { type: 'string' as const, default: 'eveboot-demo-state' },
    nodes: { type: 'string' as const, default: '3' },
    fail: { type: 'string' as const },
    'poll-ms': { type: 'string' as const, default: '2000' },
    'port-base': { type: 'string' as const, default: '18000' },
    headless: { type: 'boolean' as const, default: false },
  };
  const { values } = parse(argv, opts, USAGE);
  const n = Number(values.nodes);
  if (!Number.isInteger(n) || n < 1 || n > 300) throw new UsageError(`--nodes must be 1..300\n\n${USAGE}`);
  const failure = values.fail as DemoFailure | undefined;
  if (failure && !['seed', 'node2', 'cable'].includes(failure)) throw new UsageError(USAGE);
  const base = Number(values['port-base']);
  const site = parseSite(demoSiteYaml(n, failure, base), 'demo site');
  const specs = site.clusters ?? [];
  const maps = specs.map((c, k) =>
    LoopbackMap.fixed(
      [1, 2, 3].map((h) => c.prefix.replace(/0\/28$/, String(h))),
      base + 500 + 8 * k,
    ),
  );
  const route = (ip: string, port: number) => {
    for (const m of maps) {
      const r = m.route(ip, port);
      if (r.port !== 1) return r;
    }
    return { host: '127.0.0.1', port: 1 };
  };
  const pollMs = Number(values['poll-ms']);
  const running = await serve(['--state', values.state, ...(values.headless ? ['--headless'] : [])], out, {
    site,
    probeRoute: route,
    watchIntervalMs: Math.max(500, pollMs),
  });
  const { pki } = running.appliance;
  const abort = new AbortController();
  const fleets = new Map<string, K3sFleet>();
  const log = (who: string) => (m: string) => {
    if (!values.headless) out(`[sim ${who}] ${m}`);
  };
  const tasks = specs.flatMap((spec, k) =>
    spec.nodes.map((node, i) => {
      const device = new SimDevice({
        server: `127.0.0.1:${site.listen.controllerPort}`,
        rootCaPem: pki.root.certPem,
        onboardCertPem: pki.onboard.certPem,
        onboardKeyPem: pki.onboard.keyPem,
        serial: node.serial ?? '',
        softSerial: node.softSerial ?? '',
        tpm: createSoftTpm(),
      });
      // The cable story: node 2's cluster port is unplugged and its site port sits on another VLAN, so no
      // port is shared by all three nodes.
      const cut = failure === 'cable' && k === 0 && i === 1;
      const nics = standardNics(k * 3 + i + 1, { cableEth1: !cut }).map((nic) =>
        cut && nic.ifname === 'eth0'
          ? { ...nic, ipv4: '192.168.78.12', subnet: '192.168.78.0/24', segment: 'other-vlan' }
          : nic,
      );
      running.appliance.cluster.observe(topology(nics));
      return runSimNode(
        {
          device,
          nics,
          pollMs,
          log: log(node.name ?? node.serial ?? '?'),
          onCluster: async (token, c, deviceName) => {
            const key = `${spec.name}|${c.joinServerIp}`;
            let fleet = fleets.get(key);
            if (!fleet) {
              for (const [other, f] of fleets) if (other.startsWith(`${spec.name}|`)) await f.stop();
              fleet = new K3sFleet({
                clusterId: c.clusterId,
                joinServerIp: c.joinServerIp,
                map: maps[k]!,
                delays: { startMs: 3000, readyMs: 2000, pollMs: 2000, joinMs: 3000 },
                seedNeverInitialises: failure === 'seed' && k === 0 && fleets.size === 0,
                log: log(`k3s ${spec.name}`),
              });
              fleets.set(key, fleet);
            }
            await fleet.startNode(
              { uuid: device.uuid!, name: deviceName, clusterIp: c.clusterIpPrefix.split('/')[0]! },
              token,
            );
          },
          reports: async () => {
            const fleet = [...fleets.entries()].find(([key]) => key.startsWith(`${spec.name}|`))?.[1];
            const r = await fleet?.leaderReport();
            return r && r.from.o.uuid === device.uuid ? [r.msg] : [];
          },
        },
        abort.signal,
      );
    }),
  );
  if (failure === 'node2') {
    running.appliance.events.on('event', (e) => {
      if (e.type === 'k3s.readiness' && e.data.ready === true && e.data.cluster === specs[0]?.name) {
        const fleet = [...fleets.entries()].find(([key]) => key.startsWith(`${specs[0]?.name}|`))?.[1];
        void fleet?.nodeDown('edge-2');
      }
    });
  }
  if (!values.headless)
    out(
      `demo: ${tasks.length} simulated EVE nodes in ${specs.length} cluster(s)${failure ? `, failure: ${failure}` : ''}`,
    );
  return {
    running,
    stop: async () => {
      abort.abort();
      await Promise.allSettled(tasks);
      for (const f of fleets.values()) await f.stop();
      await running.stop();
    },
  };
}
