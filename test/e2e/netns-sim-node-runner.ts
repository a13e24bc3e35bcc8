// Runs `eveboot sim-node` (simNodeCommand) in the current network namespace until SIGTERM/SIGINT, so the netns
// e2e test does not depend on main.ts wiring. Usage: node --import tsx test/e2e/netns-sim-node-runner.ts ARGS…
import { simNodeCommand } from '../../src/cli/sim-node.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

simNodeCommand(process.argv.slice(2), out).then(
  (node) => {
    const stop = () => void node.stop().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (e: unknown) => {
    process.stderr.write(`sim-node: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
