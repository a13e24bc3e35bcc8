// The device side of API v2 over HTTPS, trusting only the appliance root from CONFIG (as EVE adds
// /config/root-certificate.pem to its TLS pool). Headers as EVE sends them (eve-api-facts §3.1).
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';

export interface HttpReply {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface EveClientOptions {
  /** CONFIG `server`: host[:port]. */
  server: string;
  rootCaPem: string;
  serial: string;
  softSerial: string;
}

export class EveClient {
  uuid?: string;
  constructor(private readonly opts: EveClientOptions) {}

  call(method: 'GET' | 'POST', action: string, body?: Uint8Array): Promise<HttpReply> {
    const [host, port] = this.opts.server.split(':') as [string, string | undefined];
    const path = `/api/v2/edgedevice/${this.uuid && !['register', 'uuid', 'certs', 'ping'].includes(action) ? `id/${this.uuid}/` : ''}${action}`;
    const headers: Record<string, string> = { 'X-Request-Id': randomUUID() };
    if (body) headers['Content-Type'] = 'application/x-proto-binary';
    if (!this.uuid) {
      headers['X-Serial-Number'] = this.opts.serial;
      headers['X-Soft-Serial'] = this.opts.softSerial;
    }
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port: Number(port ?? 443),
          method,
          path,
          headers,
          ca: this.opts.rootCaPem,
          minVersion: 'TLSv1.2',
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout calling ${path}`)));
      req.on('error', reject);
      req.end(body ? Buffer.from(body) : undefined);
    });
  }
}
