// The CAs a K3s seed creates at its first start (k3s-facts.md, TLS): the server CA that signs each server's
// :6443 serving cert, and the client CA that signs client certs (admin, kubelets). Joiners receive both through
// /v1-k3s/server-bootstrap, as K3s servers do, so all three serve certs under one CA.
import { issue, issuerOf, newPair, SERVER_AUTH, x509 } from '../adapters/x509-issue.js';

export interface Ca {
  certPem: string;
  keyPem: string;
}

export interface ClusterCas {
  server: Ca;
  client: Ca;
}

/** K3s names its CAs `k3s-server-ca@<unix seconds>` and `k3s-client-ca@<unix seconds>`. */
async function createCa(kind: 'server' | 'client', now: number): Promise<Ca> {
  const { pair, keyPem } = await newPair();
  const certPem = await issue({
    subject: `CN=k3s-${kind}-ca@${Math.floor(now / 1000)}`,
    pair,
    ca: true,
    usages: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
    years: 10,
    now,
  });
  return { certPem, keyPem };
}

export async function createClusterCas(now = Date.now()): Promise<ClusterCas> {
  return { server: await createCa('server', now), client: await createCa('client', now) };
}

/** A serving cert for the supervisor on :6443 with the node's cluster IP (and the seed's tls-san) as SANs. */
export async function issueServingCert(ca: Ca, sans: string[], now = Date.now()): Promise<Ca> {
  const { pair, keyPem } = await newPair();
  const certPem = await issue({
    subject: 'CN=k3s, O=k3s',
    pair,
    issuer: await issuerOf(ca.certPem, ca.keyPem),
    usages: x509.KeyUsageFlags.digitalSignature,
    eku: [SERVER_AUTH],
    sans: [...new Set(sans)],
    years: 1,
    now,
  });
  return { certPem, keyPem };
}
