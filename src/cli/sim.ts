// eveboot sim: simulated EVE nodes for every node of a site file or line manifest, in their own process, against a
// running `eveboot serve --rehearsal PORT-BASE` (factory-line rehearsals and benchmarks).
import { join } from 'node:path';
import { onboardIssuer } from '../adapters/onboard-issuer.js';
import { loadPki } from '../adapters/pki.js';
import { clusterSpecs, loadSite } from '../config/site.js';
import { type Failure, rehearsalMaps, startSiteFleet } from '../sim/site-fleet.js';
import { parse, required, UsageError } from './args.js';

const USAGE = `usage: eveboot sim --site FILE [--state DIR] [--port-base P] [--poll-ms MS] [--fail seed|node2|cable:CLUSTER-INDEX]
                   [--quiet]
  --site FILE     the site file or line manifest the appliance serves
  --state DIR     the appliance's state directory: root CA and onboarding cert/key (default ./eveboot-state)
  --port-base P   loopback port base of the simulated nodes' K3s stand-ins (default 18000; serve --rehearsal P)
  --poll-ms MS    how often each node polls the controller (default 2000)
  --fail F        inject seed, node2 or cable into the cluster with that index (default 0)
  --quiet         do not print what the simulated nodes do`;

export async function simCommand(argv: string[], out: (s: string) => void): Promise<{ stop(): Promise<void> }> {
  const opts = {
    site: { type: 'string' as const },
    state: { type: 'string' as const, default: 'eveboot-state' },
    'port-base': { type: 'string' as const, default: '18000' },
    'poll-ms': { type: 'string' as const, default: '2000' },
    fail: { type: 'string' as const },
    quiet: { type: 'boolean' as const, default: false },
  };
  const { values } = parse(argv, opts, USAGE);
  const site = loadSite(required(values.site, 'site', USAGE));
  const specs = clusterSpecs(site);
  const pki = loadPki(join(values.state, 'pki'));
  let failure: { kind: Failure; cluster: number } | undefined;
  if (values.fail) {
    const [kind, index] = values.fail.split(':');
    if (!['seed', 'node2', 'cable'].includes(kind ?? '')) throw new UsageError(USAGE);
    failure = { kind: kind as Failure, cluster: Number(index ?? 0) };
  }
  const fleet = startSiteFleet({
    site,
    specs,
    maps: rehearsalMaps(specs, Number(values['port-base'])),
    server: `${site.listen.advertise ?? site.listen.host}:${site.listen.controllerPort}`,
    pki: { rootCaPem: pki.root.certPem, issue: onboardIssuer(pki.root) },
    pollMs: Number(values['poll-ms']),
    failure,
    log: (who, m) => {
      if (!values.quiet) out(`[sim ${who}] ${m}`);
    },
  });
  out(`sim: ${specs.reduce((a, c) => a + c.nodes.length, 0)} simulated EVE nodes in ${specs.length} cluster(s)`);
  return fleet;
}
