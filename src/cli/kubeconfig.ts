// eveboot kubeconfig CLUSTER: an admin kubeconfig for the customer, made from the state dir (the cluster's
// token and plan) and the seed's K3s supervisor. Needs a route to the seed's cluster IP (this host on the
// cluster network), or --rehearsal P for simulated nodes. The file holds a private key: written 0600, never printed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { directRoute } from '../adapters/k3s-probe.js';
import { issueKubeconfig } from '../adapters/kubeconfig-issuer.js';
import { openStore } from '../adapters/open-store.js';
import { openSecretBox } from '../adapters/secret-box.js';
import { clusterSpecs, loadSite } from '../config/site.js';
import type { ClusterPlan } from '../core/plan/cluster-plan.js';
import { combinedRoute, rehearsalMaps } from '../sim/site-fleet.js';
import { parse, required, UsageError } from './args.js';

const USAGE = `usage: eveboot kubeconfig CLUSTER --out FILE [--state DIR] [--state-url URL] [--rehearsal P --site FILE]
  CLUSTER         the cluster name from the site file
  --out FILE      where to write the kubeconfig (mode 0600; it holds an admin private key)
  --state DIR     state directory (default ./eveboot-state)
  --state-url URL read a shared PostgreSQL state instead of SQLite in --state
  --site FILE     the site file (only with --rehearsal)
  --rehearsal P   reach simulated nodes on loopback ports (eveboot sim --port-base P), with --site FILE`;

export async function kubeconfigCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const opts = {
    state: { type: 'string' as const, default: 'eveboot-state' },
    'state-url': { type: 'string' as const },
    out: { type: 'string' as const },
    rehearsal: { type: 'string' as const },
    site: { type: 'string' as const },
  };
  const { values, positionals } = parse(argv, opts, USAGE);
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UsageError(USAGE);
  const file = required(values.out, 'out', USAGE);
  const store = openStore(values['state-url'] ?? join(values.state, 'eveboot.db'));
  let plan: ClusterPlan | undefined;
  let tokenCiphertext: string;
  try {
    const c = store.cluster(name);
    if (!c)
      throw new UsageError(
        `no cluster ${name} in ${values.state} (${
          store
            .clusters()
            .map((x) => x.name)
            .join(', ') || 'none yet'
        })`,
      );
    plan = c.plan ? (JSON.parse(c.plan) as ClusterPlan) : undefined;
    tokenCiphertext = c.tokenCiphertext;
  } finally {
    store.close();
  }
  const seed = plan?.nodes.find((n) => n.uuid === plan?.seedUuid);
  if (!plan || !seed) throw new UsageError(`cluster ${name} has no plan yet: its nodes have not onboarded`);
  const route = values.rehearsal
    ? combinedRoute(
        rehearsalMaps(clusterSpecs(loadSite(required(values.site, 'site', USAGE))), Number(values.rehearsal)),
      )
    : directRoute;
  const issued = await issueKubeconfig({
    name,
    seedIp: seed.ip,
    token: openSecretBox(join(values.state, 'keys', 'state.key')).open(tokenCiphertext),
    route,
  });
  writeFileSync(file, issued.text, { mode: 0o600 });
  out(`wrote ${file} (mode 0600): cluster ${name}, server ${issued.server}`);
  out(`  cluster CA sha256 ${issued.serverCaSha256} (check it against the UI's readiness card)`);
  out(`  admin client cert SHA256 ${issued.clientCertSha256}, valid until ${issued.notAfter}`);
  return 0;
}
