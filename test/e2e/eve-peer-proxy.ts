// A man in the middle for the breakage tests, run in the appliance's namespace: TLS with the appliance's own
// server cert (so the device's TLS check passes), every request forwarded to `eveboot serve`, every answer
// rewritten by one breakage (eve-peer-breakage.ts) and re-signed with the appliance's signing key where the
// breakage needs it. Usage: node --import tsx test/e2e/eve-peer-proxy.ts STATE_DIR LISTEN_IP:PORT UPSTREAM_IP:PORT BREAKAGE
import { createServer, request } from 'node:https';
import { join } from 'node:path';
import { loadPki } from '../../src/adapters/pki.js';
import { BREAKAGES, type Breakage, breakAnswer } from './eve-peer-breakage.js';

const [state, listen, upstream, kind] = process.argv.slice(2) as [string, string, string, Breakage];
if (!BREAKAGES.includes(kind)) throw new Error(`breakage must be one of ${BREAKAGES.join(', ')}`);
const pki = loadPki(join(state, 'pki'));
const [upHost, upPort] = upstream.split(':') as [string, string];
const [host, port] = listen.split(':') as [string, string];

const body = (s: NodeJS.ReadableStream) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });

const server = createServer({ cert: pki.tls.certPem, key: pki.tls.keyPem }, async (req, res) => {
  const reqBody = await body(req);
  const up = request(
    {
      host: upHost,
      port: Number(upPort),
      method: req.method,
      path: req.url,
      headers: req.headers,
      ca: pki.root.certPem,
    },
    async (r) => {
      let answer: Uint8Array = await body(r);
      const action = (req.url ?? '').split('?')[0]!.split('/').pop() ?? '';
      try {
        if (r.statusCode === 200) answer = breakAnswer(kind, action, answer, pki);
      } catch (e) {
        console.error(`proxy: ${action}: ${(e as Error).stack}`);
      }
      const headers = { ...r.headers, 'content-length': String(answer.length) };
      res.writeHead(r.statusCode ?? 502, headers);
      res.end(answer);
      console.log(JSON.stringify({ type: 'proxy', action, status: r.statusCode, kind }));
    },
  );
  up.on('error', (e) => {
    res.writeHead(502);
    res.end(e.message);
  });
  up.end(reqBody);
});
server.listen(Number(port), host, () => console.log(JSON.stringify({ type: 'proxy.ready', listen, kind })));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
