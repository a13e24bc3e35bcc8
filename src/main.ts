#!/usr/bin/env node
import { UsageError } from './cli/args.js';
import { demo } from './cli/demo.js';
import { doctorCommand } from './cli/doctor.js';
import { pkiCommand } from './cli/pki.js';
import { SERVE_USAGE, serve } from './cli/serve.js';
import { siteCommand } from './cli/site.js';
import { tokenCommand } from './cli/token.js';
import { usbCommand } from './cli/usb.js';
// The composition root: reads argv, runs a command, owns signals and the exit code. Nothing else exits.
import { SiteError } from './config/site.js';

const USAGE = `eveboot: bootstrap a 3-node EVE-OS (EVE-k) cluster from factory-fresh boxes

usage: eveboot <command> [options]
  serve            run the appliance (EVE controller, UI)
  demo             the demo site: the appliance plus three simulated EVE nodes, no root needed
  doctor           the appliance's NICs, the serving interface and why, other DHCP servers on it
  pki show|export  certificate fingerprints / public certificates as PEM
  token seal       seal the cluster token to a device ECDH cert (offline, factory line)
  site check FILE  validate a site file (or a line manifest)
  usb build        write this site's CONFIG into an EVE-k installer.raw for a USB stick

${SERVE_USAGE}`;

const out = (s: string) => process.stdout.write(`${s}\n`);

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      const running = await serve(rest, out);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.stop();
      return 0;
    }
    case 'demo': {
      const running = await demo(rest, out);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await running.stop();
      return 0;
    }
    case 'pki':
      return pkiCommand(rest, out);
    case 'doctor':
      return doctorCommand(rest, out);
    case 'token':
      return tokenCommand(rest, out);
    case 'site':
      return siteCommand(rest, out);
    case 'usb':
      return usbCommand(rest, out);
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
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`eveboot: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
