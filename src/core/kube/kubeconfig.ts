// An admin kubeconfig for the customer: the cluster's server CA, the seed's API address and a client cert in
// group system:masters signed by the cluster's client CA (how K3s makes its own admin kubeconfig). It holds a
// private key: callers write it 0600 or send it with no-store, and never log it.

export interface KubeconfigInput {
  /** Cluster and context name in the file. */
  name: string;
  /** https://<seed cluster IP>:6443 */
  server: string;
  serverCaPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

/** Subject of the admin client cert: any CN in O=system:masters is cluster-admin; the CN names who made it. */
export const ADMIN_SUBJECT = 'CN=eveboot-admin, O=system:masters';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A quoted YAML scalar: names come from the site file, so nothing in them may break the structure. */
const q = (s: string) => JSON.stringify(s);

export function renderKubeconfig(k: KubeconfigInput): string {
  const user = `${k.name}-admin`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${q(k.name)}`,
    '  cluster:',
    `    server: ${q(k.server)}`,
    `    certificate-authority-data: ${b64(k.serverCaPem)}`,
    'users:',
    `- name: ${q(user)}`,
    '  user:',
    `    client-certificate-data: ${b64(k.clientCertPem)}`,
    `    client-key-data: ${b64(k.clientKeyPem)}`,
    'contexts:',
    `- name: ${q(k.name)}`,
    '  context:',
    `    cluster: ${q(k.name)}`,
    `    user: ${q(user)}`,
    `current-context: ${q(k.name)}`,
    'preferences: {}',
    '',
  ].join('\n');
}
