// eveboot apps …: the cluster's workloads (issue #13). One file per subcommand; this one only dispatches.
import { APPS_MOVE_USAGE, appsMove, appsMoveOptions } from './apps-move.js';
import { parse, UsageError } from './args.js';

export const APPS_USAGE = `usage: ${APPS_MOVE_USAGE.trimStart()}`;

export async function appsCommand(
  argv: string[],
  out: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parse(argv, { ...appsMoveOptions }, APPS_USAGE);
  const [sub, ...rest] = positionals;
  if (sub === 'move') return appsMove(values, rest, out, env, APPS_USAGE);
  throw new UsageError(APPS_USAGE);
}
