// The CLI reference (docs/reference/cli.md), generated from the commands themselves: each one is run with
// `--help` in-process, and `parse()` hands back its usage text and option table in HelpRequested. The docs test
// compares the file with this output and checks that every option is named and every default stated.
import { appsCommand } from './apps.js';
import { HelpRequested } from './args.js';
import { demo } from './demo.js';
import { doctorCommand } from './doctor.js';
import { imagesCommand } from './images.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { MAIN_USAGE } from './main-usage.js';
import { pkiCommand } from './pki.js';
import { reportCommand } from './report.js';
import { serve } from './serve.js';
import { simCommand } from './sim.js';
import { simNodeCommand } from './sim-node.js';
import { siteCommand } from './site.js';
import { stateCommand } from './state.js';
import { statusCommand } from './status.js';
import { supportBundleCommand } from './support-bundle.js';
import { tokenCommand } from './token.js';
import { usbCommand } from './usb.js';

type Run = (argv: string[], out: (s: string) => void) => unknown;

/** Every command `src/main.ts` dispatches, in the order a user meets them. */
export const COMMANDS: Record<string, Run> = {
  serve,
  demo,
  doctor: doctorCommand,
  site: siteCommand,
  images: imagesCommand,
  apps: appsCommand,
  status: statusCommand,
  report: reportCommand,
  kubeconfig: kubeconfigCommand,
  state: stateCommand,
  'support-bundle': supportBundleCommand,
  pki: pkiCommand,
  token: tokenCommand,
  usb: usbCommand,
  sim: simCommand,
  'sim-node': simNodeCommand,
};

export interface CommandHelp {
  name: string;
  usage: string;
  options: Record<string, { type: string; default?: unknown }>;
}

/** The usage text and option table of one command, from its own `--help`. */
export async function commandHelp(name: string): Promise<CommandHelp> {
  const run = COMMANDS[name];
  if (!run) throw new Error(`no command ${name}`);
  try {
    await run(['--help'], () => {});
  } catch (e) {
    if (e instanceof HelpRequested) {
      return { name, usage: e.message, options: e.options as CommandHelp['options'] };
    }
    throw e;
  }
  throw new Error(`eveboot ${name} --help did not print its usage`);
}

export async function allCommandHelp(): Promise<CommandHelp[]> {
  const out: CommandHelp[] = [];
  for (const name of Object.keys(COMMANDS)) out.push(await commandHelp(name));
  return out;
}

/** Problems with one command's usage text: an option it does not name, or a default it does not state. */
export function usageProblems(h: CommandHelp): string[] {
  const problems: string[] = [];
  for (const [opt, o] of Object.entries(h.options)) {
    if (!new RegExp(`--${opt}(?![\\w-])`).test(h.usage))
      problems.push(`eveboot ${h.name}: --${opt} is not in its usage`);
    if (typeof o.default === 'string' && o.default !== '' && !h.usage.includes(o.default)) {
      problems.push(`eveboot ${h.name}: the default of --${opt} (${o.default}) is not in its usage`);
    }
  }
  return problems;
}

export function cliReference(commands: CommandHelp[]): string {
  const sections = commands.flatMap((c) => [`## eveboot ${c.name}`, '', '```text', c.usage, '```', '']);
  return [
    '# CLI reference',
    '',
    "<!-- Generated from every command's own --help by `npx tsx scripts/gen-reference.ts`; the docs test fails",
    '     when this file is out of date. Change the usage text in src/cli/*.ts, then run the generator. -->',
    '',
    'Every command prints this text with `--help` (or `-h`) and exits 0.',
    '',
    '**Exit codes**, for every command:',
    '',
    '| code | meaning |',
    '| --- | --- |',
    '| 0 | done; `serve --headless`: every cluster is ready; `--help` |',
    '| 1 | failed: the message on stderr says why (an invalid site file lists every problem as `path: message`); `serve --headless`: a cluster failed; `doctor`: no serving interface |',
    '| 2 | usage error: no command, an unknown command or option, a missing required option or a bad value; the usage follows the message |',
    '',
    '`serve`, `demo`, `sim`, `sim-node` and `status` (without `--once`) run until Ctrl-C or SIGTERM and then exit 0.',
    'Environment: `EVEBOOT_STATE_URL` (as `--state-url`), `EVEBOOT_STATE_PASSPHRASE` (`state export/import`),',
    '`EVEBOOT_SQLITE_SYNC=FULL` (fsync every SQLite commit).',
    '',
    '## eveboot',
    '',
    '```text',
    MAIN_USAGE,
    '```',
    '',
    ...sections,
  ].join('\n');
}
