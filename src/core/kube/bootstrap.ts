// K3s's server bootstrap data: what GET /v1-k3s/server-bootstrap answers under the server role (server:<token>).
// K3s encodes its ControlRuntimeBootstrap paths as a JSON map from the Go field name (ServerCA, ServerCAKey,
// ClientCA, ClientCAKey, ETCDServerCA, …) to {Timestamp, Content}, Content being the file's bytes in base64
// (k3s pkg/bootstrap ReadFromDisk; joining servers write them back with WriteToDiskFromStorage).

export interface BootstrapFile {
  Timestamp: string;
  Content: string;
}

export type BootstrapData = Record<string, BootstrapFile>;

/** What an admin kubeconfig needs: the server CA (to trust :6443) and the client CA with its key (to sign). */
export interface KubeCas {
  serverCaPem: string;
  clientCaPem: string;
  clientCaKeyPem: string;
}

export function encodeBootstrap(files: Record<string, string>, timestamp: string): string {
  const data: BootstrapData = {};
  for (const [name, text] of Object.entries(files)) {
    data[name] = { Timestamp: timestamp, Content: Buffer.from(text, 'utf8').toString('base64') };
  }
  return JSON.stringify(data);
}

export type BootstrapResult = { kind: 'ok'; files: Record<string, string> } | { kind: 'error'; message: string };

/** The files by field name, decoded; an error names what is wrong, never the contents. */
export function parseBootstrap(body: string): BootstrapResult {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { kind: 'error', message: 'the server bootstrap answer is not JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { kind: 'error', message: 'the server bootstrap answer is not a JSON object' };
  }
  const files: Record<string, string> = {};
  for (const [name, f] of Object.entries(data as Record<string, unknown>)) {
    const content = (f as { Content?: unknown } | null)?.Content;
    if (typeof content !== 'string') return { kind: 'error', message: `bootstrap field ${name} has no Content` };
    files[name] = Buffer.from(content, 'base64').toString('utf8');
  }
  return { kind: 'ok', files };
}

/** The three PEMs a kubeconfig needs, or which are missing. */
export function kubeCas(files: Record<string, string>): KubeCas | string {
  const want = ['ServerCA', 'ClientCA', 'ClientCAKey'] as const;
  const missing = want.filter((k) => !files[k]?.includes('-----BEGIN '));
  if (missing.length > 0) return `the server bootstrap data lacks ${missing.join(', ')}`;
  return { serverCaPem: files.ServerCA!, clientCaPem: files.ClientCA!, clientCaKeyPem: files.ClientCAKey! };
}
