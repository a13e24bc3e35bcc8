// eveboot demo: a whole simulated site on this one machine without root. The appliance listens on loopback high
// ports; simulated EVE nodes onboard over the real API, get their sealed token, and run a K3s stand-in whose
// cluster IPs map to loopback ports, so the readiness watcher probes them for real. --nodes 6 makes two clusters
// (a line manifest); --fail seed|node2|quorum|cable rehearses the failure stories.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSite } from '../config/site.js';
import { prepareDemoImage, prepareDemoIpxe } from '../sim/demo-media.js';
import { combinedRoute, type Failure, rehearsalMaps, startSiteFleet } from '../sim/site-fleet.js';
import { parse, UsageError } from './args.js';
import { type Running, serve } from './serve.js';

const USAGE = `usage: eveboot demo [--state DIR] [--nodes N] [--fail seed|node2|quorum|cable] [--poll-ms MS] [--port-base P]
                    [--headless] [--log-level LEVEL]
  --state DIR     demo state directory, removed and recreated on every run (default ./eveboot-demo-state)
  --nodes N       simulated nodes, 1..300, in clusters of three (default 3; 6 makes a two-cluster line manifest)
  --fail STORY    rehearse a failure: seed (never initialises), node2 (stops after Ready; with workloads, once an
                  app runs on it: the preferred app moves), quorum (two stop),
                  cable (a cluster port unplugged)
  --poll-ms MS    how often the simulated nodes poll the controller (default 2000)
  --port-base P   loopback ports P+443 controller, P+88 UI, P+67 DHCP, P+69 TFTP, P+80 HTTP (default 18000)
  --headless      JSON event lines on stdout instead of the banner (as serve --headless)
  --log-level LEVEL  the appliance's log level on stderr (default warn)`;

export type DemoFailure = Failure;

/** A cluster's workloads section, when the site schema carries one. */
function workloadsOf(spec: object): { apps?: unknown[] } | undefined {
  return (spec as { workloads?: { apps?: unknown[] } }).workloads;
}

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
    // The event log goes to the UI; the terminal shows the banner and what the simulated nodes do.
    'log-level': { type: 'string' as const, default: 'warn' },
  };
  const { values } = parse(argv, opts, USAGE);
  const n = Number(values.nodes);
  if (!Number.isInteger(n) || n < 1 || n > 300) throw new UsageError(`--nodes must be 1..300\n\n${USAGE}`);
  const failure = values.fail as DemoFailure | undefined;
  if (failure && !['seed', 'node2', 'quorum', 'cable'].includes(failure)) throw new UsageError(USAGE);
  const base = Number(values['port-base']);
  const site = parseSite(demoSiteYaml(n, failure, base), 'demo site');
  const specs = site.clusters ?? [];
  const maps = rehearsalMaps(specs, base);
  const pollMs = Number(values['poll-ms']);
  // Stand-in media so the nodes go through every step: an installer image (kernel + initrd) and iPXE binaries.
  // A demo starts fresh: its simulated nodes are new machines every run (new keys), so yesterday's state would
  // only make them conflicts. Only a directory this command created (it holds the marker) is ever removed.
  const marker = join(values.state, '.eveboot-demo');
  if (existsSync(marker)) rmSync(values.state, { recursive: true, force: true });
  else if (existsSync(values.state) && readdirSync(values.state).length > 0) {
    throw new UsageError(`--state ${values.state} is not an eveboot demo directory: choose another one`);
  }
  mkdirSync(values.state, { recursive: true });
  writeFileSync(marker, 'created by eveboot demo; removed and recreated by the next demo run\n');
  await prepareDemoImage(values.state);
  const ipxeDir = prepareDemoIpxe(join(values.state, 'demo-media', 'ipxe'));
  const running = await serve(
    [
      '--state',
      values.state,
      '--ipxe-dir',
      ipxeDir,
      '--log-level',
      values['log-level'],
      ...(values.headless ? ['--headless'] : []),
    ],
    out,
    {
      site,
      probeRoute: combinedRoute(maps),
      watchIntervalMs: Math.max(500, pollMs),
    },
  );
  const { pki } = running.appliance;
  const fleet = startSiteFleet({
    site,
    specs,
    maps,
    server: `127.0.0.1:${site.listen.controllerPort}`,
    pki: { rootCaPem: pki.root.certPem, issue: running.appliance.issueOnboarding },
    pollMs,
    netboot: { dhcpPort: site.listen.dhcpPort, tftpPort: site.listen.tftpPort, httpPort: site.listen.httpPort },
    failure: failure ? { kind: failure, cluster: 0 } : undefined,
    observe: (obs) => running.appliance.cluster.observe(obs),
    log: (who, m) => {
      if (!values.headless) out(`[sim ${who}] ${m}`);
    },
  });
  if (failure === 'node2' || failure === 'quorum') {
    // After Ready: one node down keeps quorum (degraded); two down lose it (failed). With workloads in the site,
    // node2 goes down once an app runs on it, so the container app is seen moving (K3s stand-in: eviction after
    // DEMO_EVICTION_MS, then a surviving node runs it) and a required one stays down with it.
    const withApps = failure === 'node2' && (workloadsOf(specs[0] ?? {})?.apps?.length ?? 0) > 0;
    const edge2 = () => running.appliance.store.devices().find((d) => d.name === 'edge-2')?.uuid;
    let done = false;
    running.appliance.events.on('event', (e) => {
      if (done) return;
      const ready = e.type === 'k3s.readiness' && e.data.ready === true && e.data.cluster === specs[0]?.name;
      const appOn2 = e.type === 'workload.app-status' && e.data.running === true && e.node === edge2();
      if (withApps ? appOn2 : ready) {
        done = true;
        void fleet.nodeDown(specs[0]!.name, 'edge-2');
        if (failure === 'quorum') void fleet.nodeDown(specs[0]!.name, 'edge-3');
      }
    });
  }
  if (!values.headless) {
    // The terminal says it too, not only the UI: each change of a cluster's readiness, once.
    const shown = new Map<string, string>();
    running.appliance.events.on('event', (e) => {
      if (e.type !== 'k3s.readiness') return;
      const d = e.data as { cluster: string; ready: boolean; quorum: string; missing?: string[] };
      const line = d.ready
        ? `Ready: HA control plane, etcd quorum ${d.quorum}`
        : `not ready (quorum ${d.quorum}${d.missing?.length ? `; ${d.missing[0]}` : ''})`;
      if (shown.get(d.cluster) === line) return;
      shown.set(d.cluster, line);
      out(`[cluster ${d.cluster}] ${line}`);
    });
    out(
      `demo: ${specs.reduce((a, c) => a + c.nodes.length, 0)} simulated EVE nodes in ${specs.length} cluster(s)${failure ? `, failure: ${failure}` : ''}`,
    );
  }
  return {
    running,
    stop: async () => {
      await fleet.stop();
      await running.stop();
    },
  };
}
