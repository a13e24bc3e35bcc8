// The site's three simulated EVE nodes as ONE fleet process (startSiteFleet, as `eveboot sim` runs it) inside the
// network namespace the test puts it in, so every node's controller, datastore and registry traffic crosses the
// namespace link while the K3s stand-in's scheduler is shared by the three nodes (K3s schedules for the whole
// cluster; one `eveboot sim-node` per namespace has no shared scheduler). SIGUSR1 takes NODE_DOWN's stand-in down
// (the node is lost: no K3s, no workload reports). Usage: node --import tsx netns-fleet-runner.ts SITE STATE
import { join } from 'node:path';
import { onboardIssuer } from '../../src/adapters/onboard-issuer.js';
import { loadPki } from '../../src/adapters/pki.js';
import { clusterSpecs, loadSite } from '../../src/config/site.js';
import { rehearsalMaps, startSiteFleet } from '../../src/sim/site-fleet.js';

const [siteFile, state] = process.argv.slice(2) as [string, string];
const site = loadSite(siteFile);
const specs = clusterSpecs(site);
const pki = loadPki(join(state, 'pki'));
const out = (e: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...e })}\n`);
const fleet = startSiteFleet({
  site,
  specs,
  // The stand-ins listen on this namespace's loopback; the appliance's readiness rests on the leader's reports.
  maps: rehearsalMaps(specs, 28000),
  server: `${site.listen.advertise}:${site.listen.controllerPort}`,
  pki: { rootCaPem: pki.root.certPem, issue: onboardIssuer(pki.root) },
  pollMs: 1000,
  log: (who, msg) => out({ type: 'sim.log', who, msg }),
});
process.on('SIGUSR1', () => {
  const name = process.env.NODE_DOWN ?? '';
  void fleet.nodeDown(specs[0]!.name, name).then(() => out({ type: 'sim.node.down', name }));
});
const stop = () => void fleet.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
