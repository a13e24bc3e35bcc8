// The operator's view of a cluster's workloads (issue #13), and the manual move. Token-authenticated like the
// rest of the operator API (a cookie-only change must come from our own page: access-token.ts); every move the
// operator asks for is audited, accepted or refused (event log and records.jsonl).
//   GET  /api/v1/clusters/:name/workloads          apps (designated + effective node, phase, state, download %,
//                                                  moves, pending move), networks, volumes; waiting until Ready
//   POST /api/v1/clusters/:name/apps/:app/move {node}  202 + what EVE really does (§4.5), or 409 + the reason
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EvebootError } from '../../core/errors.js';
import type { Emit } from '../../ports/events.js';
import type { ClusterWorkloads, WorkloadsView } from '../../ports/workloads-view.js';
import { parseBody } from './operator-actions.js';

export interface WorkloadDeps {
  workloads: WorkloadsView;
  emit: Emit;
  /** Appends an audit line to the durable record log. */
  audit: (entry: Record<string, unknown>) => void;
}

/** Shown for every app until the cluster is Ready: nothing has been sent to the nodes yet. */
export const WAITING_FOR_READY = 'waiting for the cluster to be Ready: nothing is sent to the nodes before that';

/** The answer of GET …/workloads: the views plus the one sentence the UI and CLI show while waiting. */
export function workloadsAnswer(w: ClusterWorkloads) {
  return {
    cluster: w.cluster,
    ready: w.ready,
    waiting: w.ready ? null : WAITING_FOR_READY,
    held: w.held,
    apps: w.apps.map((a) => ({
      name: a.name,
      uuid: a.uuid,
      kind: a.kind,
      affinity: a.affinity,
      designatedNode: a.designatedNode,
      effectiveNode: a.effectiveNode ?? null,
      phase: a.phase,
      detail: a.detail ?? null,
      state: a.state ?? null,
      downloadPercent: a.downloadPercent ?? null,
      pendingMove: a.pendingMove ?? null,
      moves: a.moves.map((m) => ({ ...m, tookMs: Math.max(0, m.runningAt - m.lostAt) })),
    })),
    networks: w.networks,
    volumes: w.volumes,
  };
}

const moveBody = z.object({ node: z.string().min(1).max(253) }).strict();

export function registerWorkloads(app: FastifyInstance, deps: WorkloadDeps): void {
  const views = (name: string) => {
    const w = deps.workloads.views(name);
    if (!w) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `no cluster ${name}`);
    return w;
  };
  app.get<{ Params: { name: string } }>('/api/v1/clusters/:name/workloads', async (req) =>
    workloadsAnswer(views(req.params.name)),
  );

  app.post<{ Params: { name: string; app: string } }>('/api/v1/clusters/:name/apps/:app/move', async (req, reply) => {
    const { node } = parseBody(moveBody, req.body);
    const { name: cluster, app: appName } = req.params;
    const fromNode = views(cluster).apps.find((a) => a.name === appName)?.designatedNode;
    if (!fromNode) throw new EvebootError('EVEBOOT_ERR_NOT_FOUND', `cluster ${cluster} has no app ${appName}`);
    const outcome = deps.workloads.move(cluster, appName, node);
    const data = {
      cluster,
      app: appName,
      fromNode,
      toNode: node,
      outcome: outcome.kind,
      ...(outcome.kind === 'refused' ? { reason: outcome.reason } : {}),
    };
    deps.emit({ type: 'operator.move', data });
    deps.audit({ action: 'move-app', ...data });
    if (outcome.kind === 'refused') {
      throw new EvebootError('EVEBOOT_ERR_CONFLICT', `cannot move ${appName} to ${node}: ${outcome.reason}`);
    }
    return reply.code(202).send({
      cluster,
      app: outcome.app,
      fromNode: outcome.fromNode,
      toNode: outcome.toNode,
      pending: true,
      explanation: outcome.explanation,
    });
  });
}
