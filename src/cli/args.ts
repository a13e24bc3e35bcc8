// Shared option parsing for the commands. Usage errors carry exit code 2.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  readonly exitCode = 2;
}

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
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
