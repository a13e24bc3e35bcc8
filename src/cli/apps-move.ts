// eveboot apps move CLUSTER APP NODE: asks the running appliance (its operator API, with the access token) to
// move an app, and prints what EVE really does with it: the designated node changes on every node, but a running
// VM is not restarted for that, so the move stays pending until the next drain, reboot or failure (§4.5 of
// eve-workloads-facts). A refusal (volume not replicated, unknown node) prints its reason and exits 1.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { loadSite } from '../config/site.js';
import { UsageError } from './args.js';

export const APPS_MOVE_USAGE = `       eveboot apps move CLUSTER APP NODE [--url URL] [--site FILE] [--state DIR]
  move      ask the running appliance to move APP of CLUSTER to NODE (a node name); the access token comes from
            EVEBOOT_ACCESS_TOKEN (eveboot serve prints it) or the site file's ui.accessToken
  --url URL     the appliance's UI address (default: from --site, else http://127.0.0.1:8088)
  --site FILE   the site file the appliance serves: its ui.accessToken and listen.uiHost/uiPort
  --state DIR   state directory whose root CA checks the UI's certificate over https (default ./eveboot-state)`;

export const appsMoveOptions = {
  url: { type: 'string' as const },
  site: { type: 'string' as const },
  state: { type: 'string' as const, default: 'eveboot-state' },
};

interface Answer {
  status: number;
  text: string;
}

function post(url: URL, token: string, body: unknown, ca?: string): Promise<Answer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        ...(ca ? { ca } : {}),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Where the appliance's UI listens and its access token: flags and env first, then the site file. */
function target(values: { url?: string; site?: string }, env: NodeJS.ProcessEnv) {
  const site = values.site ? loadSite(values.site) : undefined;
  const token = env.EVEBOOT_ACCESS_TOKEN || site?.ui.accessToken;
  if (!token) {
    throw new UsageError(
      'no access token: set EVEBOOT_ACCESS_TOKEN to the one eveboot serve printed, or give --site FILE with ui.accessToken',
    );
  }
  const host = site?.listen.uiHost === '0.0.0.0' ? '127.0.0.1' : (site?.listen.uiHost ?? '127.0.0.1');
  const url = values.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${site?.listen.uiPort ?? 8088}`;
  return { token, url };
}

export async function appsMove(
  values: { url?: string; site?: string; state: string },
  positionals: string[],
  out: (s: string) => void,
  env: NodeJS.ProcessEnv,
  usage: string,
): Promise<number> {
  const [cluster, app, node, ...extra] = positionals;
  if (!cluster || !app || !node || extra.length > 0) throw new UsageError(usage);
  const { token, url } = target(values, env);
  const endpoint = new URL(
    `/api/v1/clusters/${encodeURIComponent(cluster)}/apps/${encodeURIComponent(app)}/move`,
    url.endsWith('/') ? url : `${url}/`,
  );
  const ca =
    endpoint.protocol === 'https:' ? readFileSync(join(values.state, 'pki', 'root.cert.pem'), 'utf8') : undefined;
  let answer: Answer;
  try {
    answer = await post(endpoint, token, { node }, ca);
  } catch (e) {
    out(`cannot reach the appliance at ${endpoint.origin}: ${(e as Error).message} (is eveboot serve running?)`);
    return 1;
  }
  if (answer.status === 202) {
    const r = JSON.parse(answer.text) as { app: string; fromNode: string; toNode: string; explanation: string };
    out(`${r.app} (cluster ${cluster}): move from ${r.fromNode} to ${r.toNode} accepted, pending.`);
    out(`  ${r.explanation}`);
    return 0;
  }
  const reason = answer.text.trim().replace(/^EVEBOOT_ERR_[A-Z_]+:\s*/, '');
  // A 409 already reads "cannot move APP to NODE: why"; anything else names its status.
  out(`${app} (cluster ${cluster}): ${answer.status === 409 ? reason : `HTTP ${answer.status}: ${reason}`}`);
  return 1;
}
