// eveboot site check FILE: validates a site file (or line manifest) and prints "path: what is wrong" lines.
import { clusterSpecs, loadSite } from '../config/site.js';
import { UsageError } from './args.js';

export function siteCommand(argv: string[], out: (s: string) => void): number {
  const [sub, file] = argv;
  if (sub !== 'check' || !file) throw new UsageError('usage: eveboot site check FILE');
  const site = loadSite(file);
  for (const c of clusterSpecs(site)) out(`${file}: cluster ${c.name}: ${c.nodes.length} nodes, prefix ${c.prefix}`);
  out(`${file}: ok (site ${site.site.name})`);
  return 0;
}
