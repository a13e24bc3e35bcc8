#!/usr/bin/env node
import { appsCommand } from './cli/apps.js';
import { HelpRequested, UsageError } from './cli/args.js';
import { demo } from './cli/demo.js';
import { doctorCommand } from './cli/doctor.js';
import { imagesCommand } from './cli/images.js';
import { kubeconfigCommand } from './cli/kubeconfig.js';
import { MAIN_USAGE } from './cli/main-usage.js';
import { pkiCommand } from './cli/pki.js';
import { reportCommand } from './cli/report.js';
import { SERVE_USAGE, serve } from './cli/serve.js';
import { simCommand } from './cli/sim.js';
import { simNodeCommand } from './cli/sim-node.js';
import { siteCommand } from './cli/site.js';
import { stateCommand } from './cli/state.js';
import { statusCommand } from './cli/status.js';
import { supportBundleCommand } from './cli/support-bundle.js';
import { tokenCommand } from './cli/token.js';
import { usbCommand } from './cli/usb.js';
// The composition root: reads argv, runs a command, owns signals and the exit code. Nothing else exits.
import { SiteError } from './config/site.js';
import { EvebootError } from './core/errors.js';
import { ArchiveError } from './core/state/archive.js';

const USAGE = `${MAIN_USAGE}

${SERVE_USAGE}`;

/** The version in the package.json this build ships with (dist/main.js → ../package.json). */
async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

/** Runs until SIGINT/SIGTERM (exit 0) or until a headless batch is done (its code). */
function untilDone(done: Promise<number>): Promise<number> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve(0));
    process.once('SIGTERM', () => resolve(0));
    void done.then(resolve);
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      const running = await serve(rest, out);
      const code = await untilDone(running.done);
      await running.stop();
      return code;
    }
    case 'demo': {
      const d = await demo(rest, out);
      const code = await untilDone(d.running.done);
      await d.stop();
      return code;
    }
    case 'pki':
      return pkiCommand(rest, out);
    case 'sim': {
      const fleet = await simCommand(rest, out);
      await untilDone(new Promise<number>(() => {}));
      await fleet.stop();
      return 0;
    }
    case 'images':
      return imagesCommand(rest, out);
    case 'apps':
      return appsCommand(rest, out);
    case 'sim-node': {
      const n = await simNodeCommand(rest, out);
      await untilDone(new Promise<number>(() => {}));
      await n.stop();
      return 0;
    }
    case 'report':
      return reportCommand(rest, out);
    case 'status':
      return statusCommand(rest, out);
    case 'doctor':
      return doctorCommand(rest, out);
    case 'token':
      return tokenCommand(rest, out);
    case 'site':
      return siteCommand(rest, out);
    case 'usb':
      return usbCommand(rest, out);
    case 'state':
      return stateCommand(rest, out);
    case 'kubeconfig':
      return kubeconfigCommand(rest, out);
    case 'support-bundle':
      return supportBundleCommand(rest, out);
    case '--version':
    case 'version':
      out(`eveboot ${await packageVersion()}`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${cmd}\n\n${USAGE}`);
  }
}

// Everything eveboot writes (state dir, databases, keys, records, imported images) is for its own user only.
process.umask(0o077);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof SiteError) {
      process.stderr.write(`invalid site file:\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(1);
    }
    if (e instanceof HelpRequested) {
      process.stdout.write(`${e.message}\n`);
      process.exit(0);
    }
    if (e instanceof ArchiveError) {
      process.stderr.write(`eveboot state: ${e.message}\n`);
      process.exit(1);
    }
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    const code = e instanceof EvebootError ? `${e.code}: ` : '';
    process.stderr.write(`eveboot: ${code}${(e as Error).message}\n`);
    process.exit(1);
  },
);
