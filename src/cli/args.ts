// Shared option parsing for the commands. Usage errors carry exit code 2.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  readonly exitCode = 2;
}

/**
 * `--help`/`-h` on any command: its usage goes to stdout and the exit code is 0. It carries the command's option
 * table, so the generated CLI reference (scripts/gen-reference.ts) and its test can check that the usage text
 * names every option and states every default.
 */
export class HelpRequested extends Error {
  constructor(
    usage: string,
    readonly options: NonNullable<ParseArgsConfig['options']> = {},
  ) {
    super(usage);
  }
}

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  const ends = argv.indexOf('--');
  const own = ends < 0 ? argv : argv.slice(0, ends);
  if (own.includes('--help') || own.includes('-h')) throw new HelpRequested(usage, options);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true as const, strict: true as const });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

export function required(value: string | boolean | undefined, name: string, usage: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}\n\n${usage}`);
  return value;
}
