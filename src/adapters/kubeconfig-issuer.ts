// `eveboot kubeconfig CLUSTER` and the UI's download: an admin kubeconfig made from what the appliance holds.
// The join token is K3s's server token, so the seed's supervisor hands us the cluster's bootstrap data under the
// server role (GET :6443/v1-k3s/server-bootstrap as server:<token>): the server CA, and the client CA with its
// key, which signs an admin client cert (O=system:masters), the way K3s makes its own admin kubeconfig. The
// token travels only in the Authorization header; the kubeconfig (it holds a private key) is never logged.
import { createHash, X509Certificate } from 'node:crypto';
import { EvebootError } from '../core/errors.js';
import { kubeCas, parseBootstrap } from '../core/kube/bootstrap.js';
import { ADMIN_SUBJECT, renderKubeconfig } from '../core/kube/kubeconfig.js';
import { type AddressMap, get, K3S_PORT } from './k3s-probe.js';
import { CLIENT_AUTH, issue, issuerOf, newPair, x509 } from './x509-issue.js';

export interface KubeconfigRequest {
  name: string;
  seedIp: string;
  token: string;
  route: AddressMap;
  /** The cluster CA the readiness watcher pinned, when it has; else trusted on first use and shown. */
  pinnedCaPem?: string;
  timeoutMs?: number;
}

export interface IssuedKubeconfig {
  text: string;
  server: string;
  serverCaSha256: string;
  clientCertSha256: string;
  notAfter: string;
}

const unreachable = (what: string) =>
  new EvebootError(
    'EVEBOOT_ERR_CLUSTER_UNREACHABLE',
    `cannot make a kubeconfig: ${what}. The appliance needs a route to the seed's cluster IP (:6443); run it on the cluster network or with --probe-cluster`,
  );

export async function issueKubeconfig(r: KubeconfigRequest): Promise<IssuedKubeconfig> {
  const timeoutMs = r.timeoutMs ?? 5000;
  let caPem = r.pinnedCaPem;
  try {
    if (!caPem) caPem = (await get(r.route, r.seedIp, K3S_PORT, '/cacerts', { tls: {}, timeoutMs })).body;
    const boot = await get(r.route, r.seedIp, K3S_PORT, '/v1-k3s/server-bootstrap', {
      tls: { ca: caPem },
      auth: { user: 'server', password: r.token },
      timeoutMs,
    });
    if (boot.status === 401) throw unreachable(`the seed ${r.seedIp} refused the cluster token (HTTP 401)`);
    if (boot.status !== 200) throw unreachable(`the seed ${r.seedIp} answered HTTP ${boot.status}`);
    const parsed = parseBootstrap(boot.body);
    const cas = parsed.kind === 'ok' ? kubeCas(parsed.files) : parsed.message;
    if (typeof cas === 'string') throw unreachable(cas);
    if (cas.serverCaPem.trim() !== caPem.trim()) throw unreachable('the seed serves under another CA than it reports');
    const { pair, keyPem } = await newPair();
    const certPem = await issue({
      subject: ADMIN_SUBJECT,
      pair,
      issuer: await issuerOf(cas.clientCaPem, cas.clientCaKeyPem),
      usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      eku: [CLIENT_AUTH],
      years: 1,
    });
    const server = `https://${r.seedIp}:${K3S_PORT}`;
    const text = renderKubeconfig({
      name: r.name,
      server,
      serverCaPem: caPem,
      clientCertPem: certPem,
      clientKeyPem: keyPem,
    });
    const cert = new X509Certificate(certPem);
    return {
      text,
      server,
      serverCaSha256: createHash('sha256').update(caPem).digest('hex'),
      clientCertSha256: cert.fingerprint256,
      notAfter: new Date(cert.validTo).toISOString(),
    };
  } catch (e) {
    if (e instanceof EvebootError) throw e;
    throw unreachable(`${r.seedIp}:${K3S_PORT}: ${(e as Error).message}`);
  }
}
