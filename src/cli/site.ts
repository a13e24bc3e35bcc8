// eveboot site check FILE: validates a site file and prints "path: what is wrong" lines.
import { loadSite } from '../config/site.js';
import { UsageError } from './args.js';

export function siteCommand(argv: string[], out: (s: string) => void): number {
  const [sub, file] = argv;
  if (sub !== 'check' || !file) throw new UsageError('usage: eveboot site check FILE');
  const site = loadSite(file);
  out(
    `${file}: ok (site ${site.site.name}, cluster ${site.cluster.name}, ${site.nodes.length} nodes, prefix ${site.cluster.prefix})`,
  );
  return 0;
}
