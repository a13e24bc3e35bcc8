// eveboot site check FILE: validates a site file (or line manifest) and prints "path: what is wrong" lines.
import { clusterSpecs, loadSite } from '../config/site.js';
import { parse, UsageError } from './args.js';

const USAGE = `usage: eveboot site check FILE
  FILE            a site file or line manifest (YAML or JSON); prints every problem as path: message, exit 1`;

export function siteCommand(argv: string[], out: (s: string) => void): number {
  const { positionals } = parse(argv, {}, USAGE);
  const [sub, file, ...extra] = positionals;
  if (sub !== 'check' || !file || extra.length > 0) throw new UsageError(USAGE);
  const site = loadSite(file);
  for (const c of clusterSpecs(site)) out(`${file}: cluster ${c.name}: ${c.nodes.length} nodes, prefix ${c.prefix}`);
  out(`${file}: ok (site ${site.site.name})`);
  return 0;
}
