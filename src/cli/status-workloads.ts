// The workloads part of `eveboot status` (issue #13): per cluster, one line per app with its designated and
// effective node, phase, EVE's state and download, then its moves, a pending manual move and why it is where it is.
import type { AppView } from '../core/workloads/model.js';
import type { ClusterWorkloads } from '../ports/workloads-view.js';

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function appLines(a: AppView): string[] {
  const where = `${a.designatedNode} → ${a.effectiveNode ?? '(not running)'}`;
  const download = typeof a.downloadPercent === 'number' ? `${a.downloadPercent.toFixed(0)}%` : '';
  const lines = [
    `  ${a.name.padEnd(16).slice(0, 16)} ${a.phase.padEnd(14)} ${where.padEnd(26)} ${(a.state ?? '').padEnd(10)} ${download}`.trimEnd(),
  ];
  for (const m of a.moves) {
    lines.push(
      `      moved ${m.fromNode} → ${m.toNode} at ${time(m.runningAt)} UTC in ${seconds(m.runningAt - m.lostAt)} (${m.reason})`,
    );
  }
  if (a.pendingMove) {
    lines.push(
      `      move to ${a.pendingMove.toNode} pending until the VM is next recreated: ${a.pendingMove.explanation}`,
    );
  }
  if (a.detail && a.phase !== 'running') lines.push(`      ${a.detail}`);
  return lines;
}

export function renderWorkloads(all: ClusterWorkloads[]): string[] {
  const lines: string[] = [];
  for (const w of all) {
    if (w.apps.length === 0 && w.networks.length === 0 && w.volumes.length === 0) continue;
    const why = !w.ready
      ? ' waiting for the cluster to be Ready (nothing is sent before that)'
      : w.held.length
        ? ` not sent: ${w.held.join('; ')}`
        : '';
    lines.push(`workloads of ${w.cluster}:${why}`);
    lines.push(
      `  ${'app'.padEnd(16)} ${'phase'.padEnd(14)} ${'designated → effective'.padEnd(26)} ${'state'.padEnd(10)} download`,
    );
    for (const a of w.apps) lines.push(...appLines(a));
    for (const n of w.networks) {
      lines.push(
        `  network ${n.name}: ${n.kind} on ${n.port}; ${n.nodes.map((x) => `${x.node} ${x.state ?? 'not reported'}`).join(', ')}`,
      );
    }
    for (const v of w.volumes) {
      lines.push(
        `  volume ${v.name}: ${v.replicated ? 'replicated' : 'not replicated'}, on ${v.designatedNode}: ${v.state ?? 'not reported'}`,
      );
    }
  }
  return lines;
}
