// One appliance process of pg-race.test.ts: `node --import tsx pg-racer.ts URL STATE_DIR SITE_FILE`. Waits for
// "go" on stdin so that all racers start together, then builds the real appliance (src/compose.ts: the real
// Controller and ClusterService, cluster creation at start-up included) on the shared PostgreSQL database and
// prints one JSON line: its controller address and when its start-up ran. It serves until stdin closes.
import { readFileSync } from 'node:fs';
import { startTestAppliance } from '../support/appliance.js';

const [url = '', stateDir = '', siteFile = ''] = process.argv.slice(2);
let input = '';
process.stdin.on('data', async (c: Buffer) => {
  input += c.toString();
  if (input !== 'go\n') return;
  const startedAt = Date.now();
  const t = await startTestAppliance({ stateDir, stateUrl: url, site: readFileSync(siteFile, 'utf8') });
  process.stdout.write(`${JSON.stringify({ server: t.server, startedAt, upAt: Date.now() })}\n`);
  process.stdin.once('end', () => {
    void t.stop().then(() => process.exit(0));
  });
});
process.stdout.write('ready\n');
