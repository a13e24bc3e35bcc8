// The operator's "kubeconfig for this cluster" action: an admin kubeconfig minted against the seed, pinned to the
// cluster CA the readiness watcher saw, and recorded as kubeconfig.issued (fingerprints only, never the key).
import type { ClusterService } from '../core/cluster/cluster-service.js';
import { EvebootError } from '../core/errors.js';
import type { Emit } from '../ports/events.js';
import type { AddressMap } from './k3s-probe.js';
import { type IssuedKubeconfig, issueKubeconfig } from './kubeconfig-issuer.js';
import type { Watcher } from './readiness-watcher.js';

export interface KubeconfigActionDeps {
  cluster: ClusterService;
  watcher: Watcher;
  /** How the appliance reaches the cluster IPs; undefined: no route, so no kubeconfig. */
  route: AddressMap | undefined;
  emit: Emit;
}

export function kubeconfigAction(deps: KubeconfigActionDeps): (name: string) => Promise<IssuedKubeconfig> {
  return async (name) => {
    const plan = deps.cluster.plan(name);
    const seed = plan?.nodes.find((n) => n.uuid === plan.seedUuid);
    if (!plan || !seed) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `cluster ${name} has no plan yet`);
    if (!deps.route) {
      throw new EvebootError(
        'EVEBOOT_ERR_CLUSTER_UNREACHABLE',
        'this appliance has no route to the cluster IPs: serve on the cluster network or with --probe-cluster to make a kubeconfig',
      );
    }
    const issued = await issueKubeconfig({
      name,
      seedIp: seed.ip,
      token: deps.cluster.openToken(name),
      route: deps.route,
      pinnedCaPem: deps.watcher.pinnedCa(name),
    });
    const { clientCertSha256, serverCaSha256, notAfter, server } = issued;
    deps.emit({
      type: 'kubeconfig.issued',
      data: { cluster: name, server, clientCertSha256, serverCaSha256, notAfter },
    });
    return issued;
  };
}
