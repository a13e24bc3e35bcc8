// A TCP port on 127.0.0.1 that is free right now (tests, rehearsals). The kernel picks it; another process
// may still take it before the caller binds, so callers that race retry.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
