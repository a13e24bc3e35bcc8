#!/usr/bin/env node
import { HelpRequested, UsageError } from './cli/args.js';
import { demo } from './cli/demo.js';
import { doctorCommand } from './cli/doctor.js';
import { imagesCommand } from './cli/images.js';
import { kubeconfigCommand } from './cli/kubeconfig.js';
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
import { ArchiveError } from './core/state/archive.js';

const USAGE = `eveboot: bootstrap a 3-node EVE-OS (EVE-k) cluster from factory-fresh boxes

usage: eveboot <command> [options]
  serve            run the appliance (EVE controller, UI)
  demo             the demo site: the appliance plus three simulated EVE nodes, no root needed
  doctor           the appliance's NICs, the serving interface and why, other DHCP servers on it
  pki show|export  certificate fingerprints / public certificates as PEM
  images import|list  import an EVE-k netboot bundle (installer-net.tar, installer.iso or a directory)
  report           one record per device, --format json|csv
  sim              simulated EVE nodes for a site or line manifest (rehearsals; with serve --rehearsal)
  sim-node         one simulated EVE node in this network namespace (adds its cluster IP, runs a K3s stand-in)
  status           a terminal table per node, refreshing (--once)
  token seal       seal the cluster token to a device ECDH cert (offline, factory line)
  site check FILE  validate a site file (or a line manifest)
  --version        print eveboot's version
  <command> --help that command's options
  usb build        write this site's CONFIG into an EVE-k installer.raw for a USB stick
  kubeconfig CLUSTER  an admin kubeconfig for a ready cluster (needs a route to the seed's cluster IP)
  support-bundle   versions, NICs, site (redacted), report and events in one file for support; no secrets
  state export|import  the state dir as one encrypted file, to hand the site over to a permanent box

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
    process.stderr.write(`eveboot: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
