// eveboot status: the same picture as the UI, in a terminal: a line per node with its phase, current step and a
// progress bar while bytes flow, and each cluster's state and quorum. Refreshes every second (--once: print once).
import { join } from 'node:path';
import { openStore } from '../adapters/open-store.js';
import { type ClusterSpec, clusterSpecs, loadSite } from '../config/site.js';
import { foldEvents, type NodeView } from '../core/progress/snapshot.js';
import { readWorkloads } from '../core/workloads/read-workloads.js';
import { rememberedWorkloadSpecs } from '../core/workloads/remember-spec.js';
import { parse } from './args.js';
import { allEvents } from './report.js';
import { renderWorkloads } from './status-workloads.js';

const USAGE = `usage: eveboot status [--state DIR] [--state-url URL] [--site FILE] [--once]
  --state DIR     state directory (default ./eveboot-state)
  --state-url URL read a shared PostgreSQL state instead of SQLite in --state
  --site FILE     read the workloads from this site file instead of the ones the appliance last served (each
                  cluster's workloads are listed either way: apps with designated and effective node, phase,
                  state, moves; networks; volumes)
  --once          print the table once and exit instead of refreshing every second`;

function bar(percent: number, width = 20): string {
  const full = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${percent.toFixed(0).padStart(3)}%`;
}

export function renderNode(n: NodeView): string {
  const step = n.steps.find((s) => s.status === 'active') ?? [...n.steps].reverse().find((s) => s.status === 'done');
  const name = (n.name ?? n.serial ?? n.key).padEnd(18).slice(0, 18);
  const role = (n.role ? `${n.role} ${n.clusterIp ?? ''}` : '').padEnd(24);
  const d = n.download;
  const progress = d?.percent !== undefined && n.phase === 'netboot' ? ` ${bar(d.percent)}` : '';
  const problem = n.problem ? `  ! ${n.problem.what} → ${n.problem.todo}` : '';
  return `${name} ${n.phase.padEnd(11)} ${role} ${(step?.label ?? '').padEnd(34)}${progress}${problem}`;
}

export function renderStatus(
  store: ReturnType<typeof openStore>,
  specs: Pick<ClusterSpec, 'name' | 'workloads'>[] = rememberedWorkloadSpecs(store),
): string {
  const now = Date.now();
  const snap = foldEvents(allEvents(store), { now });
  const lines = [`${'node'.padEnd(18)} ${'phase'.padEnd(11)} ${'role / cluster IP'.padEnd(24)} step`];
  lines.push(...snap.nodes.map(renderNode));
  for (const c of store.clusters())
    lines.push(`cluster ${c.name}: ${c.state}${c.planStatus ? ` — ${c.planStatus}` : ''}`);
  const workloads = specs.map((s) => readWorkloads(store, s, now)).filter((w) => w !== undefined);
  lines.push(...renderWorkloads(workloads));
  return lines.join('\n');
}

export async function statusCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const opts = {
    state: { type: 'string' as const, default: 'eveboot-state' },
    'state-url': { type: 'string' as const },
    site: { type: 'string' as const },
    once: { type: 'boolean' as const, default: false },
  };
  const { values } = parse(argv, opts, USAGE);
  const site = values.site ? clusterSpecs(loadSite(values.site)) : undefined;
  const store = openStore(values['state-url'] ?? join(values.state, 'eveboot.db'));
  // Without --site, the workloads the appliance last served (remembered in the state).
  const specs = site ?? rememberedWorkloadSpecs(store);
  try {
    if (values.once) {
      out(renderStatus(store, specs));
      return 0;
    }
    for (;;) {
      out(`\x1b[2J\x1b[H${renderStatus(store, specs)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    store.close();
  }
}
