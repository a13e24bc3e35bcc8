import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { encodeBootstrap, kubeCas, parseBootstrap } from '../../../src/core/kube/bootstrap.js';
import { renderKubeconfig } from '../../../src/core/kube/kubeconfig.js';

const pem = (what: string) => `-----BEGIN ${what}-----\nAAAA\n-----END ${what}-----\n`;
const files = {
  ServerCA: pem('CERTIFICATE'),
  ServerCAKey: pem('EC PRIVATE KEY'),
  ClientCA: pem('CERTIFICATE'),
  ClientCAKey: pem('EC PRIVATE KEY'),
};

describe('K3s server bootstrap data', () => {
  it('round-trips as K3s writes it: field name → {Timestamp, Content: base64}', () => {
    const body = encodeBootstrap(files, '2026-12-06T00:00:00Z');
    const raw = JSON.parse(body) as Record<string, { Timestamp: string; Content: string }>;
    expect(raw.ClientCA).toEqual({
      Timestamp: '2026-12-06T00:00:00Z',
      Content: Buffer.from(files.ClientCA).toString('base64'),
    });
    expect(parseBootstrap(body)).toEqual({ kind: 'ok', files });
  });

  const bad = [
    { name: 'not JSON', input: '<html>', want: 'not JSON' },
    { name: 'a JSON array', input: '[]', want: 'not a JSON object' },
    { name: 'null', input: 'null', want: 'not a JSON object' },
    { name: 'a field without Content', input: '{"ServerCA":{"Timestamp":"x"}}', want: 'ServerCA has no Content' },
  ];
  for (const c of bad) {
    it(`${c.name} is an error that names the problem`, () => {
      expect(parseBootstrap(c.input)).toEqual({ kind: 'error', message: expect.stringContaining(c.want) });
    });
  }

  it('kubeCas needs ServerCA, ClientCA and ClientCAKey, and says which are missing', () => {
    expect(kubeCas(files)).toEqual({
      serverCaPem: files.ServerCA,
      clientCaPem: files.ClientCA,
      clientCaKeyPem: files.ClientCAKey,
    });
    expect(kubeCas({ ServerCA: files.ServerCA, ClientCA: 'garbage' })).toBe(
      'the server bootstrap data lacks ClientCA, ClientCAKey',
    );
  });
});

describe('admin kubeconfig', () => {
  it('is valid YAML with the CA, the client cert and key, and one context; odd names stay data', () => {
    const text = renderKubeconfig({
      name: 'site: "a"\nb',
      server: 'https://10.244.244.1:6443',
      serverCaPem: files.ServerCA,
      clientCertPem: pem('CERTIFICATE'),
      clientKeyPem: pem('PRIVATE KEY'),
    });
    const k = parseYaml(text) as {
      clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { name: string; user: Record<string, string> }[];
      contexts: { name: string; context: { cluster: string; user: string } }[];
      'current-context': string;
    };
    expect(k.clusters).toHaveLength(1);
    expect(k.clusters[0]!.name).toBe('site: "a"\nb');
    expect(k.clusters[0]!.cluster.server).toBe('https://10.244.244.1:6443');
    expect(Buffer.from(k.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString()).toBe(files.ServerCA);
    expect(Buffer.from(k.users[0]!.user['client-key-data']!, 'base64').toString()).toBe(pem('PRIVATE KEY'));
    expect(k.contexts[0]!.context).toEqual({ cluster: k.clusters[0]!.name, user: k.users[0]!.name });
    expect(k['current-context']).toBe(k.contexts[0]!.name);
  });
});
