// The admin kubeconfig against a K3s stand-in seed that answers /v1-k3s/server-bootstrap as K3s does and serves a
// kube-apiserver discovery root that takes client certs from the cluster's client CA in system:masters.
import { request } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { issueKubeconfig } from '../../src/adapters/kubeconfig-issuer.js';
import { CLIENT_AUTH, issue, newPair, x509 } from '../../src/adapters/x509-issue.js';
import { K3sFleet, LoopbackMap } from '../../src/sim/k3s-fleet.js';

const ID = '7d1e2c3b-4a59-4687-9a0b-1c2d3e4f5a6b';
const TOKEN = 'a2V5LWZvci10aGUta3ViZWNvbmZpZy10ZXN0';
const IP = '10.244.244.1';

type Kubeconfig = {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
};

/** GET /api as kubectl would: TLS verified against the kubeconfig's CA, the client cert presented. */
function kubeGet(map: LoopbackMap, ca: string, cert: string, key: string): Promise<{ status: number; body: string }> {
  const { host, port } = map.route(IP, 6443);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: '/api',
        method: 'GET',
        ca,
        cert,
        key,
        checkServerIdentity: (_host, c) => checkServerIdentity(IP, c),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('kubeconfig from the server token', () => {
  let fleet: K3sFleet;
  let map: LoopbackMap;
  beforeAll(async () => {
    map = await LoopbackMap.free([IP]);
    fleet = new K3sFleet({
      clusterId: ID,
      joinServerIp: IP,
      map,
      delays: { startMs: 50, readyMs: 10, pollMs: 10, joinMs: 10 },
    });
    const seed = await fleet.startNode(
      { uuid: '00000001-0000-4000-8000-000000000000', name: 'edge-1', clusterIp: IP },
      TOKEN,
    );
    await seed.whenMember();
  });
  afterAll(() => fleet?.stop());

  it('gives cluster-admin access to the API under the cluster CA, and holds no token', async () => {
    const issued = await issueKubeconfig({ name: 'site-a', seedIp: IP, token: TOKEN, route: map.route });
    expect(issued.server).toBe(`https://${IP}:6443`);
    expect(issued.text).not.toContain(TOKEN);
    const k = parseYaml(issued.text) as Kubeconfig;
    const b = (s: string) => Buffer.from(s, 'base64').toString();
    const ca = b(k.clusters[0]!.cluster['certificate-authority-data']);
    const cert = b(k.users[0]!.user['client-certificate-data']);
    const key = b(k.users[0]!.user['client-key-data']);
    const r = await kubeGet(map, ca, cert, key);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'APIVersions' });
    const subject = new x509.X509Certificate(cert).subject;
    expect(subject).toContain('O=system:masters');
  });

  it('a system:masters cert from another CA is refused by the API', async () => {
    const issued = await issueKubeconfig({ name: 'site-a', seedIp: IP, token: TOKEN, route: map.route });
    const ca = Buffer.from(
      (parseYaml(issued.text) as Kubeconfig).clusters[0]!.cluster['certificate-authority-data'],
      'base64',
    ).toString();
    const { pair, keyPem } = await newPair();
    const forged = await issue({
      subject: 'CN=mallory, O=system:masters',
      pair,
      usages: x509.KeyUsageFlags.digitalSignature,
      eku: [CLIENT_AUTH],
      years: 1,
    });
    expect((await kubeGet(map, ca, forged, keyPem)).status).toBe(401);
  });

  it('a wrong token is refused by the seed, and the error says so without the token', async () => {
    const err = await issueKubeconfig({ name: 'x', seedIp: IP, token: 'wrong-token', route: map.route }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'EVEBOOT_ERR_CLUSTER_UNREACHABLE' });
    expect(String(err.message)).toContain('refused the cluster token (HTTP 401)');
    expect(String(err.message)).not.toContain('wrong-token');
  });

  it('a pinned CA that the seed does not serve under is refused (no silent TOFU)', async () => {
    const { pair } = await newPair();
    const other = await issue({
      subject: 'CN=other-ca',
      pair,
      ca: true,
      usages: x509.KeyUsageFlags.keyCertSign,
      years: 1,
    });
    const err = await issueKubeconfig({
      name: 'x',
      seedIp: IP,
      token: TOKEN,
      route: map.route,
      pinnedCaPem: other,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'EVEBOOT_ERR_CLUSTER_UNREACHABLE' });
  });

  it('an unreachable seed is a clear 503-coded error', async () => {
    const err = await issueKubeconfig({
      name: 'x',
      seedIp: '10.244.244.9',
      token: TOKEN,
      route: () => ({ host: '127.0.0.1', port: 1 }),
      timeoutMs: 500,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'EVEBOOT_ERR_CLUSTER_UNREACHABLE', status: 503 });
  });
});
